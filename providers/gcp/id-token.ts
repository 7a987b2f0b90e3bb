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
