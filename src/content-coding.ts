/**
 * HTTP content codings (RFC 9110 §8.4), as Node's `fetch` (undici) and the
 * clouds' front ends treat them, shared by the runtime, the local fake and
 * the emulators so each decodes alike. Bundled into deployed artifacts:
 * only Node's own modules.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib'

/** The codings listed in a Content-Encoding value, in the order they were applied; `identity` and blanks dropped. */
export function codingsOf(header: string | null | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
}

function decodeOne(coding: string, bytes: Uint8Array): Uint8Array {
  if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(bytes)
  // undici accepts zlib-wrapped deflate and, as browsers do, the raw stream some servers send.
  if (coding === 'deflate') {
    try {
      return inflateSync(bytes)
    } catch {
      return inflateRawSync(bytes)
    }
  }
  if (coding === 'br') return brotliDecompressSync(bytes)
  throw new Error(`unsupported content coding '${coding}'`)
}

/**
 * The bytes with the codings of `header` undone (last applied, first
 * undone), or undefined when a coding is unknown or the bytes are not in
 * it. An empty body or no coding gives the bytes as they are.
 */
export function decodeContent(header: string | null | undefined, bytes: Uint8Array): Uint8Array | undefined {
  const codings = codingsOf(header)
  if (codings.length === 0 || bytes.byteLength === 0) return bytes
  try {
    let decoded = bytes
    for (const coding of codings.reverse()) decoded = new Uint8Array(decodeOne(coding, decoded))
    return decoded
  } catch {
    return undefined
  }
}

/**
 * A request body as the handler gets it on every backend: decoded when its
 * Content-Encoding is one Node's zlib knows (gzip, deflate, br), with that
 * header removed and Content-Length set to the decoded size, as the
 * Functions Framework's body parser hands it over. A body not in its
 * declared coding (or in an unknown one) arrives as sent.
 */
export function decodeRequestBody(
  headers: ReadonlyArray<readonly [string, string]>,
  bytes: Uint8Array,
): { headers: Array<[string, string]>; bytes: Uint8Array } {
  const coding = headers.find(([name]) => name === 'content-encoding')?.[1]
  const same = { headers: headers.map(([name, value]): [string, string] => [name, value]), bytes }
  if (codingsOf(coding).length === 0 || bytes.byteLength === 0) return same
  const decoded = decodeContent(coding, bytes)
  if (!decoded) return same
  const kept = same.headers
    .filter(([name]) => name !== 'content-encoding')
    .map(([name, value]): [string, string] => [name, name === 'content-length' ? String(decoded.byteLength) : value])
  return { headers: kept, bytes: decoded }
}

/** The codings Node's fetch decodes in a response (others reach the caller as they are). */
const FETCH_DECODES = new Set(['gzip', 'x-gzip', 'deflate', 'br'])

/**
 * Whether a response body is readable by Node's fetch: true unless its
 * Content-Encoding names codings fetch decodes and the bytes are not in
 * them (then a network fetch fails the body read).
 */
export function fetchCanDecode(header: string | null | undefined, bytes: Uint8Array): boolean {
  const codings = codingsOf(header)
  if (codings.length === 0 || bytes.byteLength === 0 || !codings.every((coding) => FETCH_DECODES.has(coding))) return true
  return decodeContent(header, bytes) !== undefined
}

/**
 * A body stream that fails at once, as a network fetch's body read fails
 * on bytes that are not in their declared coding. msw (and so every
 * emulator) never finishes reading such a body; an emulator answers this
 * stream instead, so the caller's fetch fails rather than hangs.
 */
export function failingBody(header: string | null | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.error(new TypeError(`the body is not in its declared content coding '${header ?? ''}'`))
    },
  })
}
