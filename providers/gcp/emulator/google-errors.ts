import { HttpResponse } from 'msw'
import { httpStatusOf, type RpcStatus } from '../enums.ts'

/**
 * The error body of Google APIs: `{ error: { code, message, status, details } }`.
 * Every non-2xx answer of the API must be JSON: gax fails on an empty body.
 */
export function googleError(status: RpcStatus, message: string, options: { retryAfterSec?: number | undefined } = {}): Response {
  const code = httpStatusOf(status)
  const details =
    options.retryAfterSec === undefined
      ? []
      : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${options.retryAfterSec}s` }]
  const headers: Record<string, string> = {}
  if (options.retryAfterSec !== undefined) headers['retry-after'] = String(options.retryAfterSec)
  return HttpResponse.json({ error: { code, message, status, details } }, { status: code, headers })
}

/** Cloud Run's front end answers in plain text (HTML on the real thing), not in the API's JSON. */
export function plainError(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new HttpResponse(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } })
}
