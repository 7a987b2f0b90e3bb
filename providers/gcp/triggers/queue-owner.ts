/**
 * The queue-ownership rule (src/triggers/ownership.ts) on Pub/Sub. A queue
 * trigger owns three resources, each labelled with the function
 * (`cloudfn-managed`, `cloudfn-function`): the topic it reads, the
 * dead-letter topic, and the pull subscription that keeps what reaches the
 * dead-letter topic (same name). A deploy refuses any of them that is
 * another function's or that cloudfn did not make; removal deletes only the
 * function's own.
 */

import {
  claimQueues,
  type QueueClaim,
  type QueueOwnershipIo,
  queueClaims,
  releaseQueues,
} from '../../../src/triggers/ownership.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { QueueTrigger, Trigger } from '../../../src/triggers/types.ts'
import type { ControlPlane } from '../control-plane.ts'
import { checkPubsubIds, PubSub } from './pubsub.ts'

const TOPIC = 'Pub/Sub topic'
const SUBSCRIPTION = 'Pub/Sub subscription'

const collection = (claim: QueueClaim) => (claim.resource === SUBSCRIPTION ? 'subscriptions' : 'topics')

/** Pub/Sub's I/O for the rule; `beforeChange` runs before a delete. */
export function pubsubOwnership(plane: ControlPlane, beforeChange: () => void = () => {}): QueueOwnershipIo {
  const pubsub = new PubSub(plane.rest, plane.location)
  return {
    owner: (claim) => pubsub.owner(collection(claim), claim.name),
    delete: async (claim) => {
      beforeChange()
      await pubsub.delete(collection(claim), claim.name)
    },
  }
}

/** The topic, the dead-letter topic, then the dead-letter topic's keeper subscription. */
export function pubsubClaims(trigger: QueueTrigger, functionName: string): QueueClaim[] {
  const names = queueNames(trigger, functionName)
  return [...queueClaims(names, TOPIC), { name: names.deadLetter, role: 'dead-letter', resource: SUBSCRIPTION }]
}

/** Before anything changes: a refused deploy leaves every function and queue as it was. */
export async function assertQueueFree(plane: ControlPlane, name: string, trigger: Trigger | undefined): Promise<void> {
  // The first of deploy's trigger checks (deploy-checks.ts): a queue or topic ID Pub/Sub refuses, before any read.
  checkPubsubIds(trigger)
  if (trigger?.kind !== 'queue') return
  await claimQueues(pubsubOwnership(plane), pubsubClaims(trigger, name), name, 'gcp')
}

/** Deletes the trigger's topics and keeper that are the function's own, except those named in `keep`. */
export async function releasePubsub(
  plane: ControlPlane,
  trigger: QueueTrigger,
  name: string,
  keep: ReadonlySet<string>,
  beforeChange: () => void,
): Promise<void> {
  const claims = pubsubClaims(trigger, name)
  // The keeper subscription first: deleted before its topic, it never outlives it detached.
  const ordered = [
    ...claims.filter((claim) => claim.resource === SUBSCRIPTION),
    ...claims.filter((claim) => claim.resource === TOPIC),
  ]
  await releaseQueues(pubsubOwnership(plane, beforeChange), ordered, name, keep)
}
