/**
 * Normalisers: rewrite the values that legitimately differ between a cloud's
 * answer and an emulator's (generated ids, timestamps, etags, hashes, request
 * ids) to one placeholder each, on both sides, before comparing. Those of one
 * cloud come from its provider (`ProviderFidelity.normalisers`, provider.ts), and
 * extra ones from the allow-list file (allow-list.ts).
 */

export interface Normaliser {
  name: string
  pattern: RegExp
  replacement: string
}

export const DEFAULT_NORMALISERS: readonly Normaliser[] = [
  // Request ids, RevisionIds, operation and invocation ids.
  { name: 'uuid', pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, replacement: '<uuid>' },
  // ISO 8601 with optional fraction and zone: Lambda's LastModified (2026-12-07T06:00:00.000+0000), GCP's and ARM's times.
  {
    name: 'timestamp',
    pattern: /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g,
    replacement: '<timestamp>',
  },
  // RFC 7231 dates (Date, Last-Modified headers and bodies that quote them).
  {
    name: 'http-date',
    pattern: /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/g,
    replacement: '<timestamp>',
  },
  // ETags: quoted 0x... and hex digests (not any quoted word: a JSON string value is quoted too).
  { name: 'etag', pattern: /(?:W\/)?"(?:0x[0-9A-F]{10,}|[0-9a-f]{16,})"/g, replacement: '<etag>' },
  // Lambda's CodeSha256 and other base64 SHA-256 digests (44 characters ending in =).
  { name: 'sha256', pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])/g, replacement: '<sha256>' },
]

export function normaliseText(text: string, normalisers: readonly Normaliser[]): string {
  let out = text
  for (const { pattern, replacement } of normalisers) out = out.replace(pattern, replacement)
  return out
}

/** A copy of a JSON value with every string (keys too) normalised. */
export function normaliseJson(value: unknown, normalisers: readonly Normaliser[]): unknown {
  if (typeof value === 'string') return normaliseText(value, normalisers)
  if (Array.isArray(value)) return value.map((item) => normaliseJson(item, normalisers))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseJson(v, normalisers)]))
  }
  return value
}
