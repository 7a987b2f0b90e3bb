import { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import { ConflictError } from '../../src/errors/conflict.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import { parseRetryAfter } from '../../src/network.ts'

/** The fields cloudfn reads from the SDKs' `RestError` (and from network errors). */
interface RestErrorLike {
  statusCode?: number
  code?: string
  message?: string
  response?: { headers?: { get(name: string): string | undefined } }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'REQUEST_SEND_ERROR',
])

/**
 * Maps an ARM failure to a cloudfn error. `what` names the resource for
 * messages; Azure's own message is kept (the error base class redacts
 * anything credential-shaped) and the SDK error stays as `cause`.
 */
export function mapArmError(error: unknown, operation: string, what: string): CloudfnError {
  if (CloudfnError.isInstance(error)) return error
  // Operations may end in "of" already ("syncing the triggers of"): never "of of".
  const subject = /\bof$/.test(operation) ? `${operation} ${what}` : `${operation} of ${what}`
  const rest = (error ?? {}) as RestErrorLike
  const status = rest.statusCode
  const code = rest.code ?? 'Unknown'
  const detail = `${code}: ${rest.message ?? String(error)}`
  const base = { provider: 'azure', cause: error }
  if (status === 401 || status === 403) {
    return new UnauthorizedError({
      ...base,
      message: `Azure refused ${subject} (${detail}). Check the credential and that it has Contributor on the resource group.`,
    })
  }
  if (status === 404) return new NotFoundError({ ...base, resource: what, message: `${what} was not found on Azure (${detail})` })
  if (status === 409)
    return new ConflictError({
      ...base,
      message: `${subject} conflicts with another change in progress (${detail})`,
    })
  if (status === 429) {
    const retryAfter = rest.response?.headers?.get('retry-after')
    return new ThrottledError({
      ...base,
      retryAfterMs: parseRetryAfter(retryAfter),
      message: `Azure throttled ${subject}; retry later`,
    })
  }
  if (status === undefined && !NETWORK_CODES.has(code) && !(error instanceof TypeError)) {
    // Not an HTTP or network failure: a bug or an unexpected answer, not worth retrying.
    return new ProviderError({ ...base, isRetryable: false, message: `azure ${subject} failed: ${detail}` })
  }
  return new ProviderError({
    ...base,
    status,
    // 4xx other than the above are Azure rejecting the request: repeating it will not help.
    isRetryable: status === undefined || status >= 500 || status === 408,
    message: `azure ${subject} failed${status ? ` with HTTP ${status}` : ''} (${detail})`,
  })
}

/**
 * Runs an ARM call and maps its failure. Each ARM request is already retried
 * on its own by the pipeline policy every client carries (request-retry.ts,
 * which also covers the requests armCall does not wrap: the app's
 * createOrUpdate and its polls), so retrying here as well would multiply
 * the attempts of one failing request.
 */
export async function armCall<T>(operation: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw mapArmError(error, operation, what)
  }
}

/** Runs an ARM call whose 404 means "absent". */
export async function armFind<T>(operation: string, what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await armCall(operation, what, call)
  } catch (error) {
    if (NotFoundError.isInstance(error)) return undefined
    throw error
  }
}

/**
 * A data-plane call (Storage, Event Grid) refused with 401 or 403, as an
 * UnauthorizedError whose message (from `describe(status)`) names the role the
 * credential lacks; undefined for any other failure.
 */
export function dataPlaneRefusal(error: unknown, describe: (status: number) => string): UnauthorizedError | undefined {
  const status = (error as { statusCode?: number }).statusCode
  if (status !== 401 && status !== 403) return undefined
  return new UnauthorizedError({ provider: 'azure', cause: error, message: describe(status) })
}
