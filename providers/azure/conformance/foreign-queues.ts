import type { ForeignQueues } from '../../../conformance/scenario.ts'
import type { AzureEmulator } from '../emulator/index.ts'
import { createQueue, putMessage } from '../emulator/queues.ts'
import { key } from '../emulator/state.ts'

/**
 * Out-of-band queues in the storage account cloudfn keeps for the resource
 * group (it exists once a function is deployed), written and read in the
 * emulator's state: metadata of their own, none of cloudfn's. The host
 * moves a queue's failed messages to `<queue>-poison`, a name nobody chooses.
 * Written in the state, not over the wire, so no Put Message is ever repeated
 * here; a real client's retry could leave a copy (Queue Storage has no
 * duplicate detection), which queue-ownership tolerates (`distinctMessages`).
 */
export function azureForeignQueues(emulator: AzureEmulator, resourceGroup: string): ForeignQueues {
  const queues = () => {
    const account = [...emulator.state.storageAccounts.values()].find((found) => key(found.resourceGroup) === key(resourceGroup))
    if (!account) throw new Error(`no storage account in '${resourceGroup}' yet: deploy a function first`)
    return account.queues
  }
  return {
    async create(name, messages) {
      if (queues().has(name)) throw new Error(`queue '${name}' already exists`)
      const made = createQueue(name, { owner: 'someone_else' })
      for (const text of messages) putMessage(made, text, Date.now())
      queues().set(name, made)
    },
    async read(name) {
      const found = queues().get(name)
      return found && { marker: { ...found.metadata }, messages: found.messages.map((message) => message.text) }
    },
    async delete(name) {
      queues().delete(name)
    },
    deadLetterOf: (queue) => `${queue}-poison`,
  }
}
