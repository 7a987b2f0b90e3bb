/**
 * What the Functions Framework's body parsers (body-parser 2, in the order
 * the framework installs them) make of a request: JSON for application/json
 * and application/cloudevents+json (strict: a top-level object or array),
 * text for text/plain, a form for urlencoded, bytes for any other type. A
 * request without a body (no Content-Length or Transfer-Encoding) or without
 * a valid content type is read by none: `body` and `rawBody` stay undefined
 * and the bytes stay in the request stream.
 */

export class BadRequest extends Error {}

export interface ParsedBody {
  body: unknown
  /** Set only when a parser read the body (its `verify` hook keeps the bytes). */
  rawBody: Buffer | undefined
}

/** type/subtype as content-type's parser accepts it (type-is normalises the rest away). */
const MEDIA_TYPE = /^\s*([!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+)\s*(?:;|$)/i

export function parseFrameworkBody(headers: Readonly<Record<string, string | string[]>>, raw: Buffer): ParsedBody {
  const length = headers['content-length']
  const hasBody = headers['transfer-encoding'] !== undefined || (typeof length === 'string' && !Number.isNaN(Number(length)))
  const type =
    typeof headers['content-type'] === 'string' ? MEDIA_TYPE.exec(headers['content-type'])?.[1]?.toLowerCase() : undefined
  if (!hasBody || type === undefined) return { body: undefined, rawBody: undefined }
  if (type === 'application/json' || type === 'application/cloudevents+json') return { body: strictJson(raw), rawBody: raw }
  if (type === 'text/plain') return { body: raw.toString('utf8'), rawBody: raw }
  if (type === 'application/x-www-form-urlencoded') {
    return { body: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), rawBody: raw }
  }
  return { body: raw, rawBody: raw }
}

function strictJson(raw: Buffer): unknown {
  const text = raw.toString('utf8')
  if (text.length === 0) return {}
  // body-parser's strict mode: only objects and arrays at the top level.
  if (!/^[ \t\n\r]*[[{]/.test(text)) throw new BadRequest('Unexpected token in JSON (strict mode)')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new BadRequest(String(error))
  }
}
