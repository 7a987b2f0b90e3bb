/**
 * The queue-ownership rule (src/triggers/ownership.ts) on the local fake,
 * whose "cloud" is its own registry: `LocalTriggers.queues` (cloudfn's queues,
 * each with the function that owns it and the name of its dead-letter queue)
 * and `LocalTriggers.foreignQueues` (queues made outside cloudfn). Also the
 * out-of-band operations the conformance target uses to stand in for another
 * tool: make a foreign queue, delete a queue behind cloudfn's back, read one.
 */
import {
  claimQueues,
  type QueueClaim,
  type QueueMarkerKeys,
  type QueueOwner,
  queueClaims,
  queueMarker,
} from '../../../src/triggers/ownership.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { QueueTrigger } from '../../../src/triggers/types.ts'
import type { LocalTriggers } from '../triggers.ts'

/** How `readLocalQueue` shows the registry's owner, in the labels' vocabulary. */
export const LOCAL_MARKER: QueueMarkerKeys = { managed: 'cloudfn-managed', function: 'cloudfn-function' }

function localOwner(triggers: LocalTriggers, name: string): QueueOwner {
  if (triggers.foreignQueues.has(name)) return { kind: 'foreign' }
  for (const [queueName, entry] of triggers.queues) {
    if (queueName === name || entry.deadLetter === name) return { kind: 'function', functionName: entry.functionName }
  }
  return { kind: 'absent' }
}

/** Refuses another function's or a foreign queue or dead-letter queue (ConflictError naming it). */
export async function claimLocalQueues(triggers: LocalTriggers, functionName: string, trigger: QueueTrigger): Promise<void> {
  const owner = async (claim: QueueClaim) => localOwner(triggers, claim.name)
  await claimQueues({ owner }, queueClaims(queueNames(trigger, functionName), 'queue'), functionName, 'local')
}

/** Out of band: a queue another tool made, holding `messages`. */
export function createForeignQueue(triggers: LocalTriggers, name: string, messages: readonly string[]): void {
  if (localOwner(triggers, name).kind !== 'absent') throw new Error(`queue '${name}' already exists on local`)
  triggers.foreignQueues.set(name, [...messages])
}

/** Out of band: deletes a queue (a function's dead-letter queue is only forgotten: its dead letters live in its queue). */
export function deleteQueueOutOfBand(triggers: LocalTriggers, name: string): void {
  triggers.foreignQueues.delete(name)
  const owned = triggers.queues.get(name)
  if (owned) {
    owned.queue.close()
    triggers.queues.delete(name)
  }
  for (const entry of triggers.queues.values()) if (entry.deadLetter === name) entry.deadLetter = undefined
}

/** What the registry holds under that name: the owner as labels and the message bodies; undefined when absent. */
export function readLocalQueue(
  triggers: LocalTriggers,
  name: string,
): { marker: Record<string, string>; messages: string[] } | undefined {
  const foreign = triggers.foreignQueues.get(name)
  if (foreign) return { marker: {}, messages: [...foreign] }
  const owned = triggers.queues.get(name)
  if (owned) return { marker: queueMarker(LOCAL_MARKER, owned.functionName), messages: owned.queue.waiting.map((m) => m.body) }
  for (const entry of triggers.queues.values()) {
    if (entry.deadLetter === name)
      return { marker: queueMarker(LOCAL_MARKER, entry.functionName), messages: entry.queue.deadLetters.map((m) => m.body) }
  }
  return undefined
}
