/**
 * Facts about HTTP failures that every provider must read the same way, so
 * that "did the function run?" and "when may I retry?" have one answer.
 */

/**
 * Failures that happen before a request is sent: no connection could be
 * made or the host name did not resolve. A call that failed so provably did
 * not run. A reset or timeout may come after the request was sent, so it is
 * not in this list.
 */
const BEFORE_SENDING = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** The system error code of a network failure (`ECONNRESET`, ...), looking through `cause` as fetch nests it. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** True when the failure provably happened before the request was sent. */
export function failedBeforeSending(error: unknown): boolean {
  const code = networkErrorCode(error)
  return code !== undefined && BEFORE_SENDING.has(code)
}

/** Milliseconds a `Retry-After` header asks for: seconds or an HTTP date. */
export function parseRetryAfter(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(String(value))
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
