import type { CloudfnError } from './errors/cloudfn-error.ts'
import { ConflictError } from './errors/conflict.ts'
import { NotFoundError } from './errors/not-found.ts'
import { ProviderError } from './errors/provider-error.ts'
import { ThrottledError } from './errors/throttled.ts'
import { UnauthorizedError } from './errors/unauthorized.ts'

/** A control-plane answer that failed, as a provider read it off the wire. */
export interface HttpFailure {
  /** The HTTP status of the answer. */
  status: number
  /** The provider's name, kept on the error. */
  provider: string
  /** Says what was attempted and what the cloud answered. */
  message: string
  /** What a 404 did not find (usually the function's name). */
  resource?: string | undefined
  /** From `Retry-After` or the cloud's own retry hint (see `parseRetryAfter`). */
  retryAfterMs?: number | undefined
  /** The SDK's or the transport's error, kept for debugging. */
  cause?: unknown
}

/**
 * The cloudfn error an HTTP status means, the same way for every provider:
 * 404 NotFound; 409 and 412 Conflict (a concurrent change, worth waiting
 * out); 429 Throttled; 401 and 403 Unauthorized; 408 and 5xx a retryable
 * ProviderError; any other status a ProviderError not worth retrying (the
 * request itself is wrong). A provider maps its cloud's own codes first
 * (e.g. a 400 that means "in progress") and hands the rest here. The
 * meanings are HTTP's own (RFC 9110 section 15).
 */
export function errorFromHttpStatus(failure: HttpFailure): CloudfnError {
  const { status, provider, message, retryAfterMs, cause } = failure
  const base = { provider, message, cause }
  if (status === 404) return new NotFoundError({ ...base, resource: failure.resource ?? '' })
  if (status === 409 || status === 412) return new ConflictError({ ...base, retryAfterMs })
  if (status === 429) return new ThrottledError({ ...base, retryAfterMs })
  if (status === 401 || status === 403) return new UnauthorizedError(base)
  const transient = status === 408 || status >= 500
  return new ProviderError({ ...base, status, retryAfterMs, isRetryable: transient })
}
