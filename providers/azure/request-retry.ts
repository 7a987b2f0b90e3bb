import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline'
import { parseRetryAfter } from '../../src/network.ts'
import { isTransientStatus, retryRequest } from '../../src/retry.ts'

/**
 * Retries each ARM request on its own (cloudfn's `REQUEST_RETRY_POLICY`):
 * a deploy is ~15 requests plus the polls of the app's createOrUpdate
 * long-running operation, and without this one transient fault on any of
 * them failed, and restarted, the whole deploy. Added at `perRetry`, after
 * the SDK's own (disabled) retry and before signing, so every attempt is
 * signed afresh. Retries what Azure core's default policy retries: network
 * failures with no answer, 408, 429 (honouring Retry-After) and 5xx.
 * Reference: @azure/core-rest-pipeline `defaultRetryPolicy`
 * (throttlingRetryStrategy + exponentialRetryStrategy).
 */
export function requestRetryPolicy(): PipelinePolicy {
  return {
    name: 'cloudfnRequestRetry',
    sendRequest: (request, next) =>
      retryRequest<PipelineResponse>(() => next(request), {
        // Thrown means no answer came (the pipeline returns every status); a cancelled call is not retried.
        retryable: (error) => !request.abortSignal?.aborted && (error as { statusCode?: number }).statusCode === undefined,
        retryableAnswer: (response) => isTransientStatus(response.status),
        retryAfterMs: (outcome) => parseRetryAfter((outcome as Partial<PipelineResponse>).headers?.get('retry-after')),
        // Core hands a DOM-shaped AbortSignalLike; the sleep only uses aborted and the abort event.
        signal: request.abortSignal as AbortSignal | undefined,
      }),
  }
}
