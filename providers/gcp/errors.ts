import { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import { ConflictError } from '../../src/errors/conflict.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import { parseRetryAfter } from '../../src/network.ts'
import { type RpcStatus, rpcStatusName, rpcStatusOfHttp } from './enums.ts'

/** What a failed call to the Cloud Functions API said, whichever layer of gax reported it. */
export interface GoogleFailure {
  /** google.rpc status name; undefined for network failures. */
  status: RpcStatus | undefined
  httpStatus: number | undefined
  message: string
  retryAfterMs: number | undefined
}

interface ErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<{ '@type'?: string; retryDelay?: string }> }
}

function parseBody(data: unknown, fallback: string): ErrorBody | undefined {
  if (data && typeof data === 'object') return data as ErrorBody
  const text = typeof data === 'string' ? data : fallback
  try {
    const parsed = JSON.parse(text) as unknown
    return parsed && typeof parsed === 'object' ? (parsed as ErrorBody) : undefined
  } catch {
    return undefined
  }
}

/** `Retry-After` in seconds (or an HTTP date), else a RetryInfo detail such as `"2s"`. */
export function retryAfterMs(header: string | null | undefined, retryDelay?: string): number | undefined {
  const fromHeader = parseRetryAfter(header)
  if (fromHeader !== undefined) return fromHeader
  const match = retryDelay === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(retryDelay)
  return match ? Number(match[1]) * 1000 : undefined
}

/**
 * Reads a gax error: a GaxiosError from a REST call (HTTP status on
 * `status`, the JSON body in `response.data` or the message) or a GoogleError
 * from an operation (numeric gRPC `code`).
 */
export function describeFailure(error: unknown): GoogleFailure {
  const e = (error ?? {}) as {
    message?: string
    code?: unknown
    status?: unknown
    response?: { status?: number; data?: unknown; headers?: { get?(name: string): string | null } }
  }
  const message = typeof e.message === 'string' ? e.message : String(error)
  const httpStatus =
    typeof e.response?.status === 'number' ? e.response.status : typeof e.status === 'number' ? e.status : undefined
  const body = parseBody(e.response?.data, message)?.error
  const retryInfo = body?.details?.find((detail) => detail['@type']?.endsWith('google.rpc.RetryInfo'))
  const retryAfter = retryAfterMs(e.response?.headers?.get?.('retry-after'), retryInfo?.retryDelay)
  if (httpStatus !== undefined) {
    const status = rpcStatusName(body?.status) ?? rpcStatusOfHttp(httpStatus)
    return { status, httpStatus, message: body?.message ?? message, retryAfterMs: retryAfter }
  }
  // Operations fail with a GoogleError whose code is the gRPC number.
  const status = typeof e.code === 'number' ? rpcStatusName(e.code) : undefined
  return { status, httpStatus: undefined, message, retryAfterMs: retryAfter }
}

/** Maps a control-plane failure to the cloudfn error a caller can act on. */
export function mapControlPlaneError(error: unknown, operation: string, name: string, kind = 'Function'): CloudfnError {
  if (CloudfnError.isInstance(error)) return error
  const failure = describeFailure(error)
  const detail = failure.status ? `${failure.status}: ${failure.message}` : failure.message
  const base = { provider: 'gcp', cause: error, message: `gcp ${operation} of '${name}' failed: ${detail}` }
  switch (failure.status) {
    case 'NOT_FOUND':
      return new NotFoundError({
        ...base,
        resource: name,
        message: `${kind} '${name}' ${kind === 'Function' ? 'is not deployed' : 'does not exist'} on gcp (${detail})`,
      })
    case 'ALREADY_EXISTS':
    case 'ABORTED':
      return new ConflictError({ ...base, retryAfterMs: failure.retryAfterMs })
    case 'FAILED_PRECONDITION':
      // "An operation on function X is already in progress" is a conflict worth waiting out.
      if (/in progress/i.test(failure.message)) return new ConflictError(base)
      return new ProviderError({ ...base, status: failure.httpStatus, isRetryable: false })
    case 'RESOURCE_EXHAUSTED':
      return new ThrottledError({ ...base, retryAfterMs: failure.retryAfterMs })
    case 'PERMISSION_DENIED':
    case 'UNAUTHENTICATED':
      return new UnauthorizedError({
        ...base,
        message: `${base.message}. Check the credentials and that they hold roles/cloudfunctions.developer and roles/iam.serviceAccountUser`,
      })
    case 'INVALID_ARGUMENT':
    case 'OUT_OF_RANGE':
    case 'UNIMPLEMENTED':
    case 'CANCELLED':
      return new ProviderError({ ...base, status: failure.httpStatus, isRetryable: false })
    default:
      // INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, UNKNOWN and network failures are transient.
      return new ProviderError({ ...base, status: failure.httpStatus, isRetryable: true })
  }
}
