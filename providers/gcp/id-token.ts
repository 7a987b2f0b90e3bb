import type { AuthClient } from 'google-auth-library'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import type { IdTokenProvider } from './settings.ts'

type IdTokenSource = { fetchIdToken?: (audience: string) => Promise<string> }

/**
 * The default ID-token source: the auth client's own `fetchIdToken` (service
 * account keys, impersonation, the metadata server) when it has one, else an
 * `IdTokenClient` from Application Default Credentials, one per audience
 * (each caches its token until shortly before it expires).
 */
export function defaultIdTokenProvider(authClient: AuthClient | undefined): IdTokenProvider {
  const own = (authClient as IdTokenSource | undefined)?.fetchIdToken
  if (own && authClient) return (audience) => own.call(authClient, audience)
  const clients = new Map<string, Promise<{ getRequestHeaders(): Promise<Headers> }>>()
  return async (audience) => {
    let client = clients.get(audience)
    if (!client) {
      client = import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth().getIdTokenClient(audience))
      clients.set(audience, client)
      client.catch(() => clients.delete(audience))
    }
    const header = (await (await client).getRequestHeaders()).get('authorization') ?? ''
    return header.replace(/^Bearer\s+/i, '')
  }
}

/** Calls the provider, turning its failure into `UnauthorizedError` without quoting any token. */
export async function idTokenFor(provider: IdTokenProvider, audience: string): Promise<string> {
  let token: unknown
  try {
    token = await provider(audience)
  } catch (cause) {
    throw new UnauthorizedError({
      provider: 'gcp',
      cause,
      message: `No ID token for ${audience}: ${cause instanceof Error ? cause.message : String(cause)}. Set up Application Default Credentials or pass idTokenProvider`,
    })
  }
  if (typeof token !== 'string' || token.length === 0) {
    throw new UnauthorizedError({ provider: 'gcp', message: `idTokenProvider returned no token for ${audience}` })
  }
  return token
}

/** Refresh this long before a token's `exp`; tokens without one are kept this long. */
const REFRESH_MARGIN_MS = 5 * 60_000

/** A cached ID-token source that can also forget one audience's token (after the function refused it). */
export interface CachedIdTokens {
  (audience: string): Promise<string>
  forget(audience: string): void
}

/**
 * Keeps each audience's ID token until shortly before it expires, and shares
 * one fetch among concurrent callers. Without it every invoke would fetch a
 * token (google-auth-library's `fetchIdToken` always asks the token endpoint
 * or the metadata server), and a `map()` at high concurrency would flood it.
 */
export function cachedIdTokens(provider: IdTokenProvider, now: () => number = Date.now): CachedIdTokens {
  const cache = new Map<string, { token: Promise<string>; refreshAt: number }>()
  const fetchFor = (audience: string) => {
    const token = provider(audience)
    const entry = { token, refreshAt: Number.POSITIVE_INFINITY }
    cache.set(audience, entry)
    token.then(
      (value) => {
        entry.refreshAt = (expiresAt(value) ?? now() + 2 * REFRESH_MARGIN_MS) - REFRESH_MARGIN_MS
      },
      () => {
        if (cache.get(audience) === entry) cache.delete(audience)
      },
    )
    return token
  }
  const cached = (audience: string) => {
    const entry = cache.get(audience)
    return entry && now() < entry.refreshAt ? entry.token : fetchFor(audience)
  }
  return Object.assign(cached, { forget: (audience: string) => void cache.delete(audience) })
}

/** Epoch ms of a JWT's `exp`, when the token is a JWT that has one. */
function expiresAt(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined
  } catch {
    return undefined
  }
}
