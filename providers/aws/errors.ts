import { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import { ConflictError } from '../../src/errors/conflict.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { PayloadTooLargeError } from '../../src/errors/payload-too-large.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import { failedBeforeSending, parseRetryAfter } from '../../src/network.ts'

/** What the AWS SDK's exceptions (and Node's network errors) carry, read defensively. */
interface SdkErrorShape {
  name?: string
  message?: string
  code?: string
  retryAfterSeconds?: string | number
  /** TooManyRequestsException's ThrottleReason. */
  Reason?: string
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
}

export interface ErrorContext {
  /** e.g. `deploy`, `invoke`. */
  operation: string
  /** Function (or other resource) the call was about. */
  resource?: string | undefined
  /**
   * `invoke` when the call may have run the function: then only failures
   * that prove it did not run are marked safe to repeat.
   */
  phase: 'control' | 'invoke'
  /** Request limit that applied, for PayloadTooLarge. */
  requestLimitBytes?: number | undefined
}

const UNAUTHORIZED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccessDeniedException',
  'AccessDenied',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'MissingAuthenticationTokenException',
])
const THROTTLED = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'RequestThrottled',
])
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'NoSuchEntity',
  'NoSuchEntityException',
  // SQS, in its JSON and its query-compatible spelling.
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  // SNS (query codes NotFound and ResourceNotFound, as @aws-sdk/client-sns names them).
  'NotFoundException',
])
/** SQS keeps a deleted queue's name for 60 s; creating one of that name sooner fails, and works once that minute is over. */
const QUEUE_DELETED_RECENTLY = new Set(['QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently'])
const QUEUE_NAME_WAIT_MS = 60_000
const TOO_LARGE = new Set(['RequestTooLargeException', 'RequestEntityTooLargeException'])
/** The function was not in a state to run: the call never reached it. */
const NOT_READY = new Set(['ResourceConflictException', 'ResourceNotReadyException', 'EC2ThrottledException'])

/** The transient error Lambda gives for 5–30 s after an execution role is created. */
export function isRoleNotAssumable(error: unknown): boolean {
  const shape = error as SdkErrorShape | undefined
  return shape?.name === 'InvalidParameterValueException' && /cannot be assumed by Lambda/i.test(shape.message ?? '')
}

export function isAwsNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as SdkErrorShape | undefined)?.name ?? '') || NotFoundError.isInstance(error)
}

function retryAfterMs(shape: SdkErrorShape): number | undefined {
  return parseRetryAfter(shape.retryAfterSeconds ?? shape.$response?.headers?.['retry-after'])
}

/**
 * Maps an AWS SDK failure to the cloudfn error a caller can act on. Messages
 * carry the service's error name and text, never request headers or keys.
 */
export function toCloudfnError(error: unknown, context: ErrorContext): CloudfnError {
  if (CloudfnError.isInstance(error)) return error
  const shape = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorShape
  const name = shape.name ?? 'Error'
  const status = shape.$metadata?.httpStatusCode
  const detail = `${name}: ${shape.message ?? 'no message'}`
  const base = { provider: 'aws', cause: error }
  const what = context.resource ? `${context.operation} of '${context.resource}'` : context.operation

  if (THROTTLED.has(name) || status === 429) {
    return new ThrottledError({
      ...base,
      retryAfterMs: retryAfterMs(shape),
      // The function's reserved concurrency is its maxInstances (concurrency.ts): say which limit to raise.
      message:
        shape.Reason === 'ReservedFunctionConcurrentInvocationLimitExceeded'
          ? `'${context.resource ?? 'the function'}' is at its maxInstances (Lambda reserved concurrency; ${detail}); it did not run. Retry later or raise maxInstances.`
          : `AWS throttled the ${what} (${detail}); it did not run. Retry later or raise the concurrency quota.`,
    })
  }
  if (NOT_FOUND.has(name)) {
    return new NotFoundError({
      ...base,
      resource: context.resource ?? 'unknown',
      message: `${context.resource ? `Function '${context.resource}'` : 'The resource'} is not deployed on aws (${detail}); deploy it first`,
    })
  }
  if (TOO_LARGE.has(name) || status === 413) {
    return new PayloadTooLargeError({
      ...base,
      direction: 'request',
      limitBytes: context.requestLimitBytes ?? 0,
      message: `AWS refused the ${what}: the request is too large (${detail})`,
    })
  }
  if (UNAUTHORIZED.has(name) || status === 401 || status === 403) {
    return new UnauthorizedError({
      ...base,
      message: `AWS refused the ${what} (${detail}); check the credentials and their IAM permissions`,
    })
  }
  if (isRoleNotAssumable(error)) {
    return new ProviderError({
      ...base,
      status,
      isRetryable: true,
      message: `The execution role cannot be assumed by Lambda yet (new IAM roles take seconds to propagate); ${what} will be retried`,
    })
  }
  if (context.phase === 'invoke' && NOT_READY.has(name)) {
    return new ProviderError({
      ...base,
      status,
      notExecuted: true,
      message: `The function is not ready to run (${detail}); it did not run`,
    })
  }
  if (QUEUE_DELETED_RECENTLY.has(name)) {
    return new ConflictError({
      ...base,
      retryAfterMs: QUEUE_NAME_WAIT_MS,
      message: `The ${what} needs a queue name deleted less than 60 s ago, which SQS does not reuse yet (${detail}); it is retried after that minute`,
    })
  }
  if (name === 'ResourceConflictException') {
    return new ConflictError({
      ...base,
      message: `The ${what} conflicts with an update in progress (${detail}); it is retried automatically`,
    })
  }
  if (status === undefined) {
    // No HTTP answer: a network failure. Only a refused connection proves nothing was sent.
    const refused = failedBeforeSending(error)
    return new ProviderError({
      ...base,
      notExecuted: refused,
      message: `The ${what} failed on the network (${detail})${context.phase === 'invoke' && !refused ? '; the function may have run' : ''}`,
    })
  }
  return new ProviderError({
    ...base,
    status,
    isRetryable: status >= 500,
    message: `AWS ${what} failed with HTTP ${status} (${detail})`,
  })
}
