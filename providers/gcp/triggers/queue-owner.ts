/**
 * A queue belongs to the function cloudfn made its topic for (its labels say
 * which). Another function on the same topic would share it silently, and
 * removing the owner would delete it under the other: refused, as on the
 * local fake.
 */
import { ConflictError } from '../../../src/errors/conflict.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { Trigger } from '../../../src/triggers/types.ts'
import type { ControlPlane } from '../control-plane.ts'
import { PubSub } from './pubsub.ts'

export async function assertQueueFree(plane: ControlPlane, name: string, trigger: Trigger | undefined): Promise<void> {
  if (trigger?.kind !== 'queue') return
  const { queue } = queueNames(trigger, name)
  const owner = await new PubSub(plane.rest, plane.location).topicOwner(queue)
  if (owner !== undefined && owner !== name) {
    throw new ConflictError({
      provider: 'gcp',
      // Waiting does not free the queue: retrying is pointless.
      isRetryable: false,
      message: `Queue '${queue}' belongs to function '${owner}'; give '${name}' another queue (queue({ name })) or remove '${owner}' first`,
    })
  }
}
