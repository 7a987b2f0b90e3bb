/**
 * Wire details of the Cloud Storage JSON API that the model (gcs.ts) needs:
 * its error body, CRC32C, the object etag and multipart/related uploads.
 */
import { HttpResponse } from 'msw'

/**
 * The JSON API's error body, older than AIP-193: `{ error: { code, message,
 * errors: [{ domain, reason, message }] } }`, no `status` string
 * (https://cloud.google.com/storage/docs/json_api/v1/status-codes).
 */
export function gcsError(code: number, reason: string, message: string): Response {
  return HttpResponse.json({ error: { code, message, errors: [{ message, domain: 'global', reason }] } }, { status: code })
}

const CASTAGNOLI = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/**
 * `crc32c` as the JSON API shows it: CRC-32C (Castagnoli) of the bytes,
 * big-endian, base64 (https://cloud.google.com/storage/docs/hashes-etags).
 * The SDK checks it after every upload and deletes an object whose hash differs.
 */
export function crc32cBase64(bytes: Uint8Array): string {
  let crc = 0xffffffff
  for (const byte of bytes) crc = (CASTAGNOLI[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8)
  const out = Buffer.alloc(4)
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0)
  return out.toString('base64')
}

function varint(value: bigint): number[] {
  const bytes: number[] = []
  let rest = value
  do {
    const low = Number(rest & 0x7fn)
    rest >>= 7n
    bytes.push(rest > 0n ? low | 0x80 : low)
  } while (rest > 0n)
  return bytes
}

/**
 * An object's `etag` as Cloud Storage writes it for the JSON API, e.g.
 * `CJ+Pq9Sp9Y0DEAE=`: base64 of a protobuf of generation (field 1) and
 * metageneration (field 2). Opaque to callers; not the MD5.
 */
export function objectEtag(generation: string, metageneration: number): string {
  return Buffer.from([0x08, ...varint(BigInt(generation)), 0x10, ...varint(BigInt(metageneration))]).toString('base64')
}

/**
 * The two parts of a `multipart/related` upload: the object's JSON metadata,
 * then its bytes (https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object,
 * "multipart upload"; the SDK sends CRLF line ends).
 */
export function parseMultipart(body: Uint8Array, contentType: string): { metadata: Record<string, unknown>; media: Uint8Array } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1]
  if (!boundary) throw new Error('multipart/related without a boundary')
  const buffer = Buffer.from(body)
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Buffer[] = []
  let at = buffer.indexOf(delimiter)
  while (at !== -1) {
    const start = at + delimiter.length
    const next = buffer.indexOf(delimiter, start)
    if (next === -1) break
    parts.push(buffer.subarray(start, next))
    at = next
  }
  const [first, second] = parts.map((part) => {
    const crlf = part.indexOf('\r\n\r\n')
    const split = crlf === -1 ? part.indexOf('\n\n') : crlf
    if (split === -1) throw new Error('a multipart part without headers')
    let content = part.subarray(split + (crlf === -1 ? 2 : 4))
    // The line end before the next delimiter belongs to the delimiter.
    if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2)
    else if (content.subarray(-1).toString() === '\n') content = content.subarray(0, -1)
    return content
  })
  if (!first || !second) throw new Error('multipart/related needs a metadata part and a media part')
  return { metadata: JSON.parse(first.toString('utf8')) as Record<string, unknown>, media: new Uint8Array(second) }
}
