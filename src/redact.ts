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
  let out = text
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}
