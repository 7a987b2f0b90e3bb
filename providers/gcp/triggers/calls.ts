/**
 * The handle's trigger calls: fetch() to an HTTP function's URL with the
 * credentials its auth needs, send() as a Pub/Sub publish.
 */
import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { FetchRequest, SendRequest } from '../../../src/provider.ts'
import type { ControlPlane } from '../control-plane.ts'
import { type CachedIdTokens, idTokenFor } from '../id-token.ts'
import { PubSub } from './pubsub.ts'

/** An `iam` function gets an ID token for its URL; Cloud Run answers a 401 for a token it refused, fetched anew once. */
export async function fetchFunction({ record, request }: FetchRequest, idTokens: CachedIdTokens): Promise<Response> {
  const trigger = record.trigger
  const audience = record.url
  if (trigger?.kind !== 'http' || trigger.auth !== 'iam' || !audience) return fetch(request)
  const withToken = async (source: Request) => {
    const headers = new Headers(source.headers)
    headers.set('authorization', `Bearer ${await idTokenFor(idTokens, audience)}`)
    return fetch(new Request(source, { headers }))
  }
  const spare = request.clone()
  const response = await withToken(request)
  if (response.status !== 401) return response
  await response.body?.cancel()
  idTokens.forget(audience)
  return withToken(spare)
}

export async function sendMessage(plane: ControlPlane, request: SendRequest): Promise<{ messageId: string }> {
  try {
    return { messageId: await new PubSub(plane.rest, plane.location).publish(request.queue, request.message) }
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
