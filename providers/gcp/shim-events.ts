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
  /** The request stream (an IncomingMessage), unread when no body parser took the body. */
  [Symbol.asyncIterator]?: () => AsyncIterator<unknown>
  readableEnded?: boolean | undefined
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

/**
 * The exact body bytes. The framework's body parsers keep them in `rawBody`,
 * but none of them reads a request without a (valid) content type or without
 * a body: then `rawBody` and `body` are undefined and the bytes, if any, are
 * still in the request stream.
 */
export async function rawBodyOf(req: HttpRequestLike): Promise<Uint8Array> {
  if (req.rawBody) return req.rawBody
  if (typeof req[Symbol.asyncIterator] === 'function' && req.readableEnded !== true) return readAll(req as AsyncIterable<unknown>)
  const { body } = req
  if (body === undefined) return new Uint8Array()
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return body
  // Another host's parsed JSON (an object or array from a strict parser), re-encoded.
  return Buffer.from(JSON.stringify(body), 'utf8')
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array))
  return Buffer.concat(chunks)
}

/**
 * The user's HTTP request, as the runtime's wire format: the URL Cloud Run
 * was called at, headers in order with repeats, the exact body bytes. The
 * credential IAM checked (`Authorization`) is the platform's, not the handler's.
 */
export async function wireRequestOf(req: HttpRequestLike, stripAuthorization: boolean): Promise<WireRequest> {
  const raw = req.rawHeaders ?? Object.entries(req.headers).flatMap(([name, value]) => [name, header(req, name) ?? String(value)])
  // The framework's body parsers inflate gzip/deflate bodies into rawBody but leave the
  // headers as sent: the bytes handed on are then no longer in that coding or length.
  const coding = header(req, 'content-encoding')?.trim().toLowerCase()
  const inflated = req.rawBody !== undefined && coding !== undefined && coding !== 'identity'
  const body = await rawBodyOf(req)
  const headers: Array<[string, string]> = []
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase()
    if (stripAuthorization && name === 'authorization') continue
    if (inflated && name === 'content-encoding') continue
    headers.push([name, inflated && name === 'content-length' ? String(body.byteLength) : (raw[index + 1] as string)])
  }
  const host = header(req, 'host') ?? 'localhost'
  return {
    method: req.method ?? 'GET',
    url: `https://${host}${req.originalUrl ?? '/'}`,
    headers,
    body: body.byteLength > 0 ? toBase64(body) : undefined,
  }
}
