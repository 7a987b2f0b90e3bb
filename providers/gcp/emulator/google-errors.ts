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

/**
 * A per-minute quota exceeded, as Google APIs answer it: 429 RESOURCE_EXHAUSTED
 * with an ErrorInfo whose reason is RATE_LIMIT_EXCEEDED, and neither a
 * Retry-After header nor a RetryInfo detail (AIP-193,
 * https://cloud.google.com/apis/design/errors#error_info; google/rpc/error_details.proto).
 * Clients back off on their own.
 */
export function rateLimitExceeded(service: string, consumerNumber: string): Response {
  const metric = 'Read requests'
  const message = `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute' of service '${service}' for consumer 'project_number:${consumerNumber}'.`
  const info = {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'RATE_LIMIT_EXCEEDED',
    domain: 'googleapis.com',
    metadata: {
      service,
      consumer: `projects/${consumerNumber}`,
      quota_metric: `${service}/read_requests`,
      quota_limit: 'ReadRequestsPerMinutePerProject',
    },
  }
  return HttpResponse.json({ error: { code: 429, message, status: 'RESOURCE_EXHAUSTED', details: [info] } }, { status: 429 })
}

/** Cloud Run's front end answers in plain text (HTML on the real thing), not in the API's JSON. */
export function plainError(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new HttpResponse(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } })
}
