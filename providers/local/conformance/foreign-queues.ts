import type { ForeignQueues } from '../../../conformance/scenario.ts'
import { createForeignQueue, deleteQueueOutOfBand, readLocalQueue } from '../triggers/ownership.ts'
import type { LocalTriggers } from '../triggers.ts'

/** Out-of-band queues on the local fake: its registry, written and read without the provider API. */
export function localForeignQueues(triggers: LocalTriggers): ForeignQueues {
  return {
    create: async (name, messages) => createForeignQueue(triggers, name, messages),
    read: async (name) => readLocalQueue(triggers, name),
    delete: async (name) => deleteQueueOutOfBand(triggers, name),
  }
}
