/**
 * The handle's trigger calls: fetch() to an HTTP function's URL with the
 * credentials its auth needs, send() as a Pub/Sub publish.
 */
import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { FetchRequest, SendRequest } from '../../../src/provider.ts'
import type { ControlPlane } from '../control-plane.ts'
import { type CachedIdTokens, idTokenFor } from '../id-token.ts'
import { PubSub } from './pubsub.ts'

/**
 * Cloud Run's own refusal of an ID token: 401 with a Bearer challenge naming
 * the token invalid. A 401 the handler answered has no such challenge (and
 * must not be re-sent: the handler already ran).
 */
export function isTokenRefusal(response: Response): boolean {
  return response.status === 401 && /^\s*Bearer\b.*\berror="invalid_token"/i.test(response.headers.get('www-authenticate') ?? '')
}

/**
 * An `iam` function gets an ID token for its URL; a token Cloud Run refused is
 * fetched anew once. Redirects are never followed (as on the local fake): a
 * 3xx reaches the caller as it is, so no credential is sent anywhere else.
 */
export async function fetchFunction({ record, request }: FetchRequest, idTokens: CachedIdTokens): Promise<Response> {
  const trigger = record.trigger
  // The ID token's audience is the service URI Cloud Run knows, without the trailing slash record.url has.
  const audience = record.url?.replace(/\/$/, '')
  if (trigger?.kind !== 'http' || trigger.auth !== 'iam' || !audience) return fetch(request, { redirect: 'manual' })
  const withToken = async (source: Request) => {
    const headers = new Headers(source.headers)
    headers.set('authorization', `Bearer ${await idTokenFor(idTokens, audience)}`)
    return fetch(new Request(source, { headers, redirect: 'manual' }))
  }
  const spare = request.clone()
  const response = await withToken(request)
  if (!isTokenRefusal(response)) {
    await spare.body?.cancel()
    return response
  }
  await response.body?.cancel()
  idTokens.forget(audience)
  return withToken(spare)
}
export async function sendMessage(
  plane: ControlPlane,
  request: SendRequest,
  signal?: AbortSignal,
): Promise<{ messageId: string }> {
  try {
    return { messageId: await new PubSub(plane.rest, plane.location).publish(request.queue, request.message, signal) }
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
    throw new NotFoundError({
      provider: 'gcp',
      resource: request.queue,
      cause: error,
      message: `Topic '${request.queue}' of '${request.name}' does not exist on gcp; deploy the function with its queue trigger first`,
    })
  }
}
