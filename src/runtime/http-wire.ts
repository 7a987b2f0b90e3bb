/**
 * An HTTP request or response as JSON, so that it travels through the same
 * envelope, runner and timeout machinery as a direct invocation (to a worker
 * thread, to a cloud's runtime and back). Bodies are base64 so binary
 * survives. Bundled into deployed artifacts: keep it dependency-free.
 */
export interface WireRequest {
  method: string
  /** Absolute URL, query string included. */
  url: string
  /** In order; a header sent twice appears twice. */
  headers: Array<[string, string]>
  /** Base64 of the body bytes; absent when there is no body. */
  body?: string | undefined
}

export interface WireResponse {
  status: number
  /** In order; each `set-cookie` is its own entry. */
  headers: Array<[string, string]>
  body: string
}

const NO_BODY = new Set(['GET', 'HEAD'])

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

function headerPairs(headers: Headers): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  for (const [name, value] of headers) {
    if (name === 'set-cookie') continue
    pairs.push([name, value])
  }
  for (const cookie of headers.getSetCookie()) pairs.push(['set-cookie', cookie])
  return pairs
}

export async function requestToWire(request: Request): Promise<WireRequest> {
  const body = NO_BODY.has(request.method) ? undefined : new Uint8Array(await request.arrayBuffer())
  return {
    method: request.method,
    url: request.url,
    headers: headerPairs(request.headers),
    body: body && body.byteLength > 0 ? toBase64(body) : undefined,
  }
}

export function wireToRequest(wire: WireRequest, signal?: AbortSignal): Request {
  const headers = new Headers()
  for (const [name, value] of wire.headers) headers.append(name, value)
  const body = wire.body === undefined || NO_BODY.has(wire.method) ? undefined : Buffer.from(wire.body, 'base64')
  return new Request(wire.url, { method: wire.method, headers, body, signal })
}

export async function responseToWire(response: Response): Promise<WireResponse> {
  const body = new Uint8Array(await response.arrayBuffer())
  return { status: response.status, headers: headerPairs(response.headers), body: toBase64(body) }
}

export function wireToResponse(wire: WireResponse): Response {
  const headers = new Headers()
  for (const [name, value] of wire.headers) headers.append(name, value)
  // 204, 205 and 304 may not carry a body, even an empty one.
  const nullBody = wire.status === 204 || wire.status === 205 || wire.status === 304
  return new Response(nullBody ? null : Buffer.from(wire.body, 'base64'), { status: wire.status, headers })
}

/** What every backend answers when the HTTP handler throws or returns something other than a Response. */
export function errorResponseWire(status: number, message: string): WireResponse {
  return {
    status,
    headers: [['content-type', 'text/plain; charset=utf-8']],
    body: Buffer.from(message).toString('base64'),
  }
}
