/**
 * Lambda's native event shapes as cloudfn payloads, and answers in the
 * shapes Lambda expects back. Bundled into deployed artifacts: no
 * dependencies beyond the runtime's own modules.
 */
import type { WireRequest, WireResponse } from '../../src/runtime/http-wire.ts'

/** A function URL's request, payload format 2.0. */
export interface UrlEvent {
  version: '2.0'
  rawPath: string
  rawQueryString: string
  /** Lower-case names; a repeated header arrives comma-joined. */
  headers?: Record<string, string>
  cookies?: string[]
  requestContext: { domainName: string; http: { method: string } }
  body?: string
  isBase64Encoded: boolean
}

/** What Lambda turns into the function URL's HTTP response. */
export interface UrlResult {
  statusCode: number
  headers: Record<string, string>
  cookies: string[]
  body: string
  isBase64Encoded: true
}

export interface SqsRecord {
  messageId: string
  body: string
  eventSource: 'aws:sqs'
}

export interface SqsEvent {
  Records: SqsRecord[]
}

/**
 * What SNS hands a subscribed function: one record, the published message
 * as text in `Sns.Message` (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
 */
export interface SnsEvent {
  Records: [{ EventSource: 'aws:sns'; Sns: { Message: string; MessageId: string; TopicArn: string } }]
}

export function isSnsEvent(event: unknown): event is SnsEvent {
  const records = (event as { Records?: unknown } | null)?.Records
  if (!Array.isArray(records) || records.length !== 1) return false
  const record = records[0] as { EventSource?: unknown; Sns?: { Message?: unknown } } | null
  return record?.EventSource === 'aws:sns' && typeof record.Sns?.Message === 'string'
}

/**
 * The neutral message of an SNS event: the JSON text cloudfn published
 * (`publish` sends the message JSON-encoded), given to the handler as is.
 */
export function messageOfSnsEvent(event: SnsEvent): string {
  return event.Records[0].Sns.Message
}

/**
 * EventBridge Scheduler's `<aws.scheduler.scheduled-time>` has no
 * milliseconds (`2026-01-01T00:05:00Z`); every other backend gives
 * `toISOString()`'s form, so a schedule event gets that. Anything else (a
 * direct invoke with other input) is left as it is.
 */
export function normalizeScheduleEvent(event: unknown): unknown {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event
  const { scheduledTime } = event as { scheduledTime?: unknown }
  if (typeof scheduledTime !== 'string') return event
  const time = new Date(scheduledTime)
  return Number.isNaN(time.getTime()) ? event : { ...event, scheduledTime: time.toISOString() }
}

/** The headers SigV4 adds: with AuthType AWS_IAM they are the platform's business, not the handler's. */
const SIGNING_HEADERS = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'])

export function isUrlEvent(event: unknown): event is UrlEvent {
  const candidate = event as Partial<UrlEvent> | null
  return candidate?.version === '2.0' && typeof candidate.rawPath === 'string' && candidate.requestContext?.http !== undefined
}

export function isSqsEvent(event: unknown): event is SqsEvent {
  const records = (event as Partial<SqsEvent> | null)?.Records
  return Array.isArray(records) && records.length > 0 && records.every((record) => record?.eventSource === 'aws:sqs')
}

export function wireOfUrlEvent(event: UrlEvent, stripSigning: boolean): WireRequest {
  const headers: Array<[string, string]> = []
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (stripSigning && SIGNING_HEADERS.has(name)) continue
    headers.push([name, value])
  }
  // Lambda lists the cookies apart and keeps the header as sent; without the header, they are joined as a browser sends them.
  if (event.cookies?.length && !headers.some(([name]) => name === 'cookie')) headers.push(['cookie', event.cookies.join('; ')])
  const query = event.rawQueryString ? `?${event.rawQueryString}` : ''
  const body =
    event.body === undefined || event.body === ''
      ? undefined
      : event.isBase64Encoded
        ? event.body
        : Buffer.from(event.body, 'utf8').toString('base64')
  return {
    method: event.requestContext.http.method,
    url: `https://${event.requestContext.domainName}${event.rawPath}${query}`,
    headers,
    body,
  }
}

/** Headers comma-joined as `Headers` does, cookies apart, the body always base64 so bytes survive. */
export function urlResultOf(wire: WireResponse): UrlResult {
  const headers: Record<string, string> = {}
  const cookies: string[] = []
  for (const [name, value] of wire.headers) {
    if (name === 'set-cookie') cookies.push(value)
    else headers[name] = name in headers ? `${headers[name]}, ${value}` : value
  }
  return { statusCode: wire.status, headers, cookies, body: wire.body, isBase64Encoded: true }
}
