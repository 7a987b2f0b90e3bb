/**
 * The local fake's HTTP front: what stands between a caller and an HTTP
 * function on the clouds, reproduced for the in-process `fetch()` and the
 * loopback server alike, so a handler sees the same request and a caller
 * the same answer whichever way it called (and as on AWS, whose limits the
 * fake mirrors).
 */
import { decodeContent, fetchCanDecode } from '../../src/content-coding.ts'
import type { WireRequest, WireResponse } from '../../src/runtime/http-wire.ts'

const MB = 1024 * 1024

/** Lambda's synchronous payload quota, which a function URL's event and answer count against. */
export const MAX_PAYLOAD_BYTES = 6 * MB

/** Node's default --max-http-header-size: what the loopback server (and Node's fetch, on answers) accept. */
export const MAX_HEAD_BYTES = 16 * 1024

const TEXT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded))|\+(json|xml)/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The size of a request as Lambda counts it against the 6 MB quota: the
 * event carries a UTF-8 text body as a string and anything else as base64,
 * with the headers beside it.
 */
export function payloadBytes(wire: WireRequest): number {
  const type = wire.headers.find(([name]) => name === 'content-type')?.[1] ?? ''
  let body = 0
  if (wire.body !== undefined) {
    body = wire.body.length
    if (TEXT.test(type)) {
      try {
        body = Buffer.byteLength(JSON.stringify(strictUtf8.decode(Buffer.from(wire.body, 'base64'))))
      } catch {
        // Not UTF-8: base64 in the event, as counted.
      }
    }
  }
  return body + Buffer.byteLength(JSON.stringify(wire.headers)) + wire.url.length
}

/** The size of an answer as Lambda counts it: the shim always sends the body as base64. */
export function answerBytes(wire: WireResponse): number {
  return Buffer.byteLength(JSON.stringify(wire))
}

/** The request line and headers as they would go over HTTP/1.1. */
export function headBytes(method: string, url: string, headers: ReadonlyArray<readonly [string, string]>): number {
  const target = new URL(url)
  let bytes = `${method} ${target.pathname}${target.search} HTTP/1.1\r\n`.length
  for (const [name, value] of headers) bytes += name.length + value.length + 4
  return bytes
}

/**
 * The headers Node's fetch (undici) adds to a request sent over the
 * network, so a handler called in process sees what it sees at its URL:
 * Host, Connection, Accept, Accept-Language, Sec-Fetch-Mode, User-Agent,
 * Accept-Encoding (brotli only over TLS) and Content-Length (a body's
 * length, or 0 for a POST, PUT or PATCH without one). The caller's own win.
 */
export function withNetworkHeaders(wire: WireRequest, hasBody: boolean): WireRequest {
  const url = new URL(wire.url)
  const own = new Set(wire.headers.map(([name]) => name))
  const added: Array<[string, string]> = []
  const add = (name: string, value: string) => {
    if (!own.has(name)) added.push([name, value])
  }
  add('host', url.host)
  add('connection', 'keep-alive')
  const headers: Array<[string, string]> = [...added, ...wire.headers]
  const defaults: Array<[string, string]> = [
    ['accept', '*/*'],
    ['accept-language', '*'],
    ['sec-fetch-mode', 'cors'],
    ['user-agent', 'node'],
    ['accept-encoding', url.protocol === 'https:' ? 'br, gzip, deflate' : 'gzip, deflate'],
  ]
  for (const [name, value] of defaults) if (!own.has(name)) headers.push([name, value])
  const length = wire.body === undefined ? 0 : Buffer.from(wire.body, 'base64').byteLength
  if (!own.has('content-length') && (hasBody || ['POST', 'PUT', 'PATCH'].includes(wire.method))) {
    headers.push(['content-length', String(length)])
  }
  return { ...wire, headers }
}

/** An error as Node's fetch rejects with it when the answer's headers are over its limit. */
function headersOverflow(): TypeError {
  const cause = Object.assign(new Error('Headers Overflow Error'), { code: 'UND_ERR_HEADERS_OVERFLOW' })
  return new TypeError('fetch failed', { cause })
}

/**
 * The answer as Node's fetch hands it over after the network: the status
 * text of the status, a body decoded from gzip, deflate or brotli (a body
 * not in its declared coding fails when read, as it does there), and a
 * rejection when the headers are over Node's limit.
 */
export function networkAnswer(wire: WireResponse, method: string, statusText: string): Response {
  const headers = new Headers()
  for (const [name, value] of wire.headers) headers.append(name, value)
  let head = `HTTP/1.1 ${wire.status} ${statusText}\r\n`.length
  for (const [name, value] of wire.headers) head += name.length + value.length + 4
  if (head > MAX_HEAD_BYTES) throw headersOverflow()
  // 204, 205 and 304 may not carry a body, even an empty one; a HEAD answer has none on the wire.
  const nullBody = wire.status === 204 || wire.status === 205 || wire.status === 304 || method === 'HEAD'
  if (nullBody) return new Response(null, { status: wire.status, statusText, headers })
  const bytes = new Uint8Array(Buffer.from(wire.body, 'base64'))
  const coding = headers.get('content-encoding')
  if (!fetchCanDecode(coding, bytes)) {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(new TypeError('terminated', { cause: new Error(`the body is not in its declared coding '${coding}'`) }))
      },
    })
    return new Response(failing, { status: wire.status, statusText, headers })
  }
  const decoded = decodeContent(coding, bytes) ?? bytes
  return new Response(decoded, { status: wire.status, statusText, headers })
}
