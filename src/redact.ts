/**
 * Removes credential-shaped substrings from text that cloudfn prints, throws or
 * serializes. It is a safety net: code should not put secrets into messages in
 * the first place.
 */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization headers and bearer tokens (ARM tokens, Google ID/access tokens).
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // Google OAuth access tokens.
  [/\bya29\.[A-Za-z0-9._-]+/g, '[redacted]'],
  // JWTs (three base64url segments).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '[redacted]'],
  // key=value and "key": "value" pairs whose key names a secret.
  [/((?:secret|token|password|passwd|signature|sig|code|key|credential)s?["']?\s*[:=]\s*["']?)[^\s"'&,;}]{6,}/gi, '$1[redacted]'],
  // AWS temporary and long-term access key ids.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]'],
]

export function redactSecrets(text: string): string {
  let out = redactKnownValues(text)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}

/**
 * Env values the user gave to `defineFunction` / `withOverrides` in this
 * process. A name says nothing (`DATABASE_URL=postgres://app:<password>@db`),
 * and clouds quote whole envs in their errors, so every value is redacted
 * by value, wherever it shows. Shorter values (`1`, `true`, `prod`) would
 * mangle every message and are rarely secrets.
 */
const knownValues = new Set<string>()
const MIN_VALUE_LENGTH = 8
/** What is left of a value cut short (a cloud quotes the first N characters of a long env): its start is enough. */
const MIN_MATCH = MIN_VALUE_LENGTH

export function rememberSecretValues(values: Iterable<string>): void {
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_VALUE_LENGTH || /^(?:\d+|true|false)$/i.test(value)) continue
    knownValues.add(value)
    // The same value as it appears inside JSON or a URL.
    knownValues.add(JSON.stringify(value).slice(1, -1))
    knownValues.add(encodeURIComponent(value))
  }
}

const REDACTED = '[redacted]'
const TOKEN_CHAR = /^[\p{L}\p{N}_-]$/u

function redactKnownValues(text: string): string {
  let out = text
  for (const value of knownValues) {
    const start = value.slice(0, MIN_MATCH)
    let at = out.indexOf(start)
    while (at !== -1) {
      // As far as the text keeps matching the value: the whole value, or what a truncation left of it.
      let length = MIN_MATCH
      while (length < value.length && out[at + length] === value[length]) length++
      // A cut-short value ends where the quote of it ends; text that goes on with another letter, digit, `-` or `_`
      // only shares the value's start (names made from one run id, one URL scheme) and is not the value.
      if (length < value.length && TOKEN_CHAR.test(out[at + length] ?? '')) {
        at = out.indexOf(start, at + 1)
        continue
      }
      out = out.slice(0, at) + REDACTED + out.slice(at + length)
      at = out.indexOf(start, at + REDACTED.length)
    }
  }
  return out
}

/** Fields of an SDK error that describe it without carrying requests, headers or bodies. */
const SAFE_CAUSE_FIELDS = ['code', 'status', 'statusCode', 'errno', 'syscall', 'reason', 'type', '$fault'] as const
const SAFE_METADATA_FIELDS = ['httpStatusCode', 'requestId', 'extendedRequestId', 'attempts', 'totalRetryDelay'] as const

/**
 * A copy of an error that is safe to keep as a `cause`: cloud SDK errors hold
 * the signed request (session tokens, bearer tokens) and the raw response, so
 * only the name, the message and stack (scrubbed), a few descriptive fields
 * and the nested cause are kept.
 */
export function scrubCause(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value)
  if (typeof value !== 'object' || value === null) return value
  const source = value as Record<string, unknown> & { name?: unknown; message?: unknown; stack?: unknown; cause?: unknown }
  const copy = new Error(redactSecrets(typeof source.message === 'string' ? source.message : String(source.message ?? '')))
  copy.name = typeof source.name === 'string' ? source.name : 'Error'
  copy.stack = typeof source.stack === 'string' ? redactSecrets(source.stack) : undefined
  const fields = copy as unknown as Record<string, unknown>
  for (const field of SAFE_CAUSE_FIELDS) {
    const entry = source[field]
    if (typeof entry === 'string') fields[field] = redactSecrets(entry)
    else if (typeof entry === 'number' || typeof entry === 'boolean') fields[field] = entry
  }
  const metadata = source.$metadata
  if (typeof metadata === 'object' && metadata !== null) {
    fields.$metadata = Object.fromEntries(
      SAFE_METADATA_FIELDS.filter((field) => field in metadata).map((field) => [
        field,
        (metadata as Record<string, unknown>)[field],
      ]),
    )
  }
  if (source.cause !== undefined && depth < 3) fields.cause = scrubCause(source.cause, depth + 1)
  return copy
}
