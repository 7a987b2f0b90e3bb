/**
 * The native shapes a 2nd-gen function receives, turned into cloudfn
 * payloads. Bundled into the artifact with the shim: keep it dependency-free.
 */
import { toBase64, type WireRequest } from '../../src/runtime/http-wire.ts'

/** The parts of an Express request the shim reads. */
export interface HttpRequestLike {
  method?: string | undefined
  originalUrl?: string | undefined
  rawHeaders?: readonly string[] | undefined
  rawBody?: Uint8Array | undefined
  body?: unknown
  executionId?: string | undefined
  headers: Record<string, string | string[] | undefined>
}

export function header(req: HttpRequestLike, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** Cloud Scheduler's HTTP target: it marks its requests and says which tick they are for. */
export function scheduledTimeOf(req: HttpRequestLike): string | undefined {
  if (header(req, 'x-cloudscheduler') !== 'true') return undefined
  const time = Date.parse(header(req, 'x-cloudscheduler-scheduletime') ?? '')
  // A manual "force run" carries no schedule time: it is for now.
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString()
}

/** A Pub/Sub message as Eventarc delivers it: `{ message: { data: base64, ... }, subscription }`. */
export interface PubsubEnvelope {
  message?: { data?: string; messageId?: string; attributes?: Record<string, string> }
  subscription?: string
}

/** The message's data as the JSON text that was sent (an empty message is `null`). */
export function pubsubPayload(data: unknown): string {
  const encoded = (data as PubsubEnvelope | undefined)?.message?.data
  const text = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : ''
  return text.length > 0 ? text : 'null'
}

/** A binary-mode CloudEvent over HTTP (the framework's `http` signature sees it as a plain request). */
export function isCloudEvent(req: HttpRequestLike): boolean {
  return ['ce-type', 'ce-specversion', 'ce-source', 'ce-id'].every((name) => header(req, name) !== undefined)
}

export function rawBodyOf(req: HttpRequestLike): Uint8Array {
  if (req.rawBody) return req.rawBody
  const { body } = req
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return body
  // Parsed JSON from a strict parser: an object or array, re-encoded.
  return Buffer.from(JSON.stringify(body ?? null), 'utf8')
}

/**
 * The user's HTTP request, as the runtime's wire format: the URL Cloud Run
 * was called at, headers in order with repeats, the exact body bytes. The
 * credential IAM checked (`Authorization`) is the platform's, not the handler's.
 */
export function wireRequestOf(req: HttpRequestLike, stripAuthorization: boolean): WireRequest {
  const raw = req.rawHeaders ?? Object.entries(req.headers).flatMap(([name, value]) => [name, header(req, name) ?? String(value)])
  const headers: Array<[string, string]> = []
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase()
    if (stripAuthorization && name === 'authorization') continue
    headers.push([name, raw[index + 1] as string])
  }
  const host = header(req, 'host') ?? 'localhost'
  const body = rawBodyOf(req)
  return {
    method: req.method ?? 'GET',
    url: `https://${host}${req.originalUrl ?? '/'}`,
    headers,
    body: body.byteLength > 0 ? toBase64(body) : undefined,
  }
}
