import type { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import { retryRequest } from '../../src/retry.ts'

/**
 * Retries one Google API request on its own (cloudfn's `REQUEST_RETRY_POLICY`)
 * when its failure, mapped as the caller maps it, is throttling or a
 * transient server or network failure: a deploy is a dozen requests
 * (Cloud Functions, Pub/Sub, IAM, Cloud Run), and one transient fault on any
 * of them used to fail, and restart, the whole deploy. Conflicts (an
 * operation in progress) are left to the callers, which wait them out.
 * Google's client libraries retry the same classes by default
 * (UNAVAILABLE, RESOURCE_EXHAUSTED; HTTP 429 and 5xx).
 */
export function retryGcpRequest<T>(send: () => Promise<T>, map: (error: unknown) => CloudfnError): Promise<T> {
  return retryRequest(send, {
    retryable: (error) => {
      const mapped = map(error)
      return mapped.isRetryable && (mapped.code === 'Throttled' || mapped.code === 'ProviderError')
    },
    retryAfterMs: (error) => map(error).retryAfterMs,
  })
}
