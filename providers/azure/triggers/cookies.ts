/**
 * `Set-Cookie` lines as the `cookies` of an `@azure/functions` response.
 * The library writes response headers into a map with one value per name,
 * so only the last of several `set-cookie` headers would survive; cookies go
 * through its `cookies` list instead, which it serializes one line each.
 * Dependency-free: bundled into artifacts by the shim.
 */

export interface ResponseCookie {
  name: string
  value: string
  domain?: string
  path?: string
  expires?: Date
  secure?: boolean
  httpOnly?: boolean
  sameSite?: 'Strict' | 'Lax' | 'None'
  maxAge?: number
}

const SAME_SITE: Record<string, ResponseCookie['sameSite']> = { strict: 'Strict', lax: 'Lax', none: 'None' }

/** The library percent-encodes values when it serializes them: decode first so they round-trip. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

export function parseSetCookie(line: string): ResponseCookie {
  const [pair = '', ...attributes] = line.split(';')
  const equals = pair.indexOf('=')
  const cookie: ResponseCookie = {
    name: (equals < 0 ? '' : pair.slice(0, equals)).trim(),
    value: decoded((equals < 0 ? pair : pair.slice(equals + 1)).trim()),
  }
  for (const attribute of attributes) {
    const at = attribute.indexOf('=')
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase()
    const value = at < 0 ? '' : attribute.slice(at + 1).trim()
    if (key === 'domain') cookie.domain = value
    else if (key === 'path') cookie.path = value
    else if (key === 'expires' && !Number.isNaN(Date.parse(value))) cookie.expires = new Date(value)
    else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.maxAge = Number(value)
    else if (key === 'secure') cookie.secure = true
    else if (key === 'httponly') cookie.httpOnly = true
    else if (key === 'samesite' && SAME_SITE[value.toLowerCase()]) cookie.sameSite = SAME_SITE[value.toLowerCase()]
  }
  return cookie
}
