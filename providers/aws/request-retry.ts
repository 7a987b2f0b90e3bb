import { parseRetryAfter } from '../../src/network.ts'
import { isTransientStatus, retryRequest } from '../../src/retry.ts'

/**
 * Error codes the AWS SDK's own retry strategy treats as throttling or
 * transient, copied from @smithy/service-error-classification (constants.ts:
 * THROTTLING_ERROR_CODES, TRANSIENT_ERROR_CODES, NODEJS_TIMEOUT_ERROR_CODES).
 */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
])
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'])
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'])

interface SdkErrorShape {
  name?: string
  code?: string
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
  retryAfterSeconds?: string | number
}

/** Whether one SDK call that threw this is worth sending again as it is. */
export function isTransientAwsError(error: unknown): boolean {
  const shape = (error ?? {}) as SdkErrorShape
  if (shape.name === 'AbortError') return false
  if (THROTTLING.has(shape.name ?? '') || TRANSIENT.has(shape.name ?? '') || NETWORK.has(shape.code ?? '')) return true
  const status = shape.$metadata?.httpStatusCode
  // No status: no answer came (the connection dropped or was refused), so nothing was done.
  return status === undefined ? true : isTransientStatus(status)
}

/** Commands never repeated here: a synchronous or event Invoke may have run the function (the core decides). */
const NOT_RETRIED = new Set(['InvokeCommand'])

interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'finalizeRequest'; priority: 'high'; name: string },
  ): void
}

/**
 * Retries each SDK call on its own (cloudfn's `REQUEST_RETRY_POLICY`), as
 * the SDK's standard strategy would, but without its shared retry quota,
 * which a run of injected faults empties: a deploy is a dozen calls (IAM,
 * Lambda, SQS, Scheduler) and one transient fault on any of them used to
 * fail, and restart, the whole deploy. In the finalizeRequest step before
 * signing, so each attempt is signed afresh.
 */
export function addRequestRetry(client: { middlewareStack: unknown }): void {
  ;(client.middlewareStack as MiddlewareStackLike).add(
    (next, context) => (args) => {
      if (NOT_RETRIED.has(context.commandName ?? '')) return next(args)
      return retryRequest(() => next(args), {
        retryable: isTransientAwsError,
        // As errors.ts reads it: Lambda's TooManyRequestsException carries retryAfterSeconds, others the header.
        retryAfterMs: (error) => {
          const shape = error as SdkErrorShape
          return parseRetryAfter(shape.retryAfterSeconds ?? shape.$response?.headers?.['retry-after'])
        },
      })
    },
    { step: 'finalizeRequest', priority: 'high', name: 'cloudfnRequestRetry' },
  )
}
