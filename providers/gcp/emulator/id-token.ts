/**
 * Stand-in ID tokens: JWT-shaped (header.payload.signature, base64url) with
 * the claims Cloud Run checks (`aud`, `exp`), unsigned. The emulator's
 * function URLs accept only these, for the right audience.
 */
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function fakeIdToken(audience: string, lifetimeSec = 3600): string {
  const now = Math.floor(Date.now() / 1000)
  const payload = { iss: 'https://accounts.google.com', aud: audience, sub: 'cloudfn-emulator', iat: now, exp: now + lifetimeSec }
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.emulator`
}

export type TokenCheck = { ok: true } | { ok: false; status: 401 | 403; reason: string }

/** What Cloud Run answers: 403 without a token, 401 for a token it cannot accept. */
export function checkIdToken(authorization: string | null, serviceUrl: string): TokenCheck {
  if (!authorization) return { ok: false, status: 403, reason: 'missing token' }
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1]
  const payloadPart = token?.split('.')[1]
  let payload: { aud?: unknown; exp?: unknown } | undefined
  try {
    payload = payloadPart ? (JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof payload) : undefined
  } catch {
    payload = undefined
  }
  if (!payload) return { ok: false, status: 401, reason: 'malformed token' }
  const audience = typeof payload.aud === 'string' ? payload.aud.replace(/\/$/, '') : ''
  if (audience !== serviceUrl.replace(/\/$/, '')) return { ok: false, status: 401, reason: 'wrong audience' }
  if (typeof payload.exp !== 'number' || payload.exp * 1000 < Date.now())
    return { ok: false, status: 401, reason: 'expired token' }
  return { ok: true }
}
