/**
 * Storage queues of queue-triggered functions, in the storage account every
 * app already uses for AzureWebJobsStorage. They are created and deleted
 * through ARM (no data-plane role needed to deploy) and carry cloudfn
 * metadata, so remove and gc find them: the trigger's queue and the
 * `<queue>-poison` queue the host moves failed messages to.
 */
import type { SendRequest } from '../../../src/provider.ts'
import {
  decideQueue,
  ownerFromMarker,
  type QueueMarkerKeys,
  type QueueOwner,
  queueClaims,
  queueMarker,
} from '../../../src/triggers/ownership.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { QueueTrigger } from '../../../src/triggers/types.ts'
import { fail } from '../../../src/validation.ts'
import { QUEUE_NAME_SETTING, QUEUE_SETTINGS } from '../constants.ts'
import type { AzureContext } from '../context.ts'
import { armCall, armFind, dataPlaneRefusal, mapArmError } from '../errors.ts'
import { storageAccountName } from '../names.ts'

/** Queue metadata names must be C# identifiers: no `cloudfn:` prefix as on tags. */
export const QUEUE_METADATA = { managed: 'cloudfn_managed', function: 'cloudfn_function' } as const
/**
 * cloudfn's marker on a queue it made (src/triggers/ownership.ts). Metadata
 * names keep their case but compare without it when read
 * (https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata).
 */
export const AZURE_QUEUE_MARKER: QueueMarkerKeys = { ...QUEUE_METADATA, ignoreCase: true }

/** The queue the host reads and the one it moves messages to after maxDequeueCount failed deliveries. */
export function azureQueueNames(trigger: QueueTrigger, functionName: string): { queue: string; poison: string } {
  const { queue } = queueNames(trigger, functionName)
  return { queue, poison: `${queue}-poison` }
}

/** Azure queue names need 3 characters and no double hyphen, which cloudfn names allow. */
export function checkQueueTrigger(trigger: QueueTrigger, functionName: string): void {
  const { queue } = azureQueueNames(trigger, functionName)
  if (queue.length < 3 || queue.includes('--')) {
    fail(
      trigger.name === undefined ? 'name' : 'trigger.name',
      `must give an Azure queue name of at least 3 characters without '--' (got "${queue}")`,
    )
  }
}

/** App settings the host reads the trigger's options from (they override host.json). */
export function queueAppSettings(trigger: QueueTrigger, functionName: string): Record<string, string> {
  return {
    [QUEUE_NAME_SETTING]: azureQueueNames(trigger, functionName).queue,
    [QUEUE_SETTINGS.maxDequeueCount]: String(trigger.maxRetries + 1),
    [QUEUE_SETTINGS.batchSize]: String(trigger.batchSize),
  }
}

export interface CloudfnQueue {
  name: string
  functionName: string
}

/** A queue in the account and who it belongs to, by its metadata. */
export interface AccountQueue {
  name: string
  owner: QueueOwner
}

/** Every queue in the account, cloudfn's or not (empty when the account does not exist yet). */
export async function listQueues(context: AzureContext, signal: AbortSignal | undefined): Promise<AccountQueue[]> {
  const { storage } = await context.sdk.clients()
  const account = storageAccountName(context.scope)
  const found: AccountQueue[] = []
  await armFind('listing the queues of', `storage account '${account}'`, async () => {
    for await (const queue of storage.queue.list(context.settings.resourceGroup, account, { abortSignal: signal })) {
      if (queue.name) found.push({ name: queue.name, owner: ownerFromMarker(AZURE_QUEUE_MARKER, queue.metadata ?? {}) })
    }
    return true
  })
  return found
}

/** cloudfn's queues in the account (empty when the account does not exist yet). */
export async function listCloudfnQueues(context: AzureContext, signal: AbortSignal | undefined): Promise<CloudfnQueue[]> {
  return (await listQueues(context, signal)).flatMap(({ name, owner }) =>
    owner.kind === 'function' ? [{ name, functionName: owner.functionName }] : [],
  )
}

const ownedBy = (queue: AccountQueue, functionName: string) =>
  queue.owner.kind === 'function' && queue.owner.functionName === functionName

/** Deletes the queues whose metadata names the function, and no other function's. */
export async function deleteQueuesOf(
  context: AzureContext,
  functionName: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const queue of await listQueues(context, signal)) {
    if (ownedBy(queue, functionName)) await deleteQueue(context, queue.name, signal)
  }
}

export async function deleteQueue(context: AzureContext, name: string, signal: AbortSignal | undefined): Promise<void> {
  const { storage } = await context.sdk.clients()
  const account = storageAccountName(context.scope)
  await armFind('deleting', `queue '${name}'`, () =>
    storage.queue.delete(context.settings.resourceGroup, account, name, { abortSignal: signal }),
  )
}

/**
 * The ownership rule on the trigger's queue and poison queue, decided on what
 * `listQueues` found: another function's queue or one cloudfn did not make is
 * refused (creating it again would only rewrite its metadata, so its messages
 * would be shared and deleted with the function).
 */
export function checkQueueOwners(existing: readonly AccountQueue[], trigger: QueueTrigger, functionName: string): void {
  const names = azureQueueNames(trigger, functionName)
  for (const claim of queueClaims({ queue: names.queue, deadLetter: names.poison }, 'Storage queue')) {
    const owner = existing.find((queue) => queue.name === claim.name)?.owner ?? { kind: 'absent' }
    decideQueue(claim, owner, functionName, 'azure')
  }
}

/**
 * Makes the function's queues exactly those `trigger` needs: creates what is
 * missing (an existing queue of the function keeps its messages) and deletes
 * the function's other queues (an earlier queue name, or a trigger that is no
 * longer a queue); no other queue is touched. `existing` is what listQueues
 * found, checked with checkQueueOwners.
 */
export async function syncQueues(
  context: AzureContext,
  functionName: string,
  trigger: QueueTrigger | undefined,
  existing: readonly AccountQueue[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const { storage } = await context.sdk.clients()
  const account = storageAccountName(context.scope)
  const wanted = trigger ? Object.values(azureQueueNames(trigger, functionName)) : []
  for (const queue of existing) {
    if (ownedBy(queue, functionName) && !wanted.includes(queue.name)) await deleteQueue(context, queue.name, signal)
  }
  const metadata = queueMarker(AZURE_QUEUE_MARKER, functionName)
  for (const name of wanted) {
    if (existing.some((queue) => queue.name === name)) continue
    await armCall('creating', `queue '${name}'`, () =>
      storage.queue.create(context.settings.resourceGroup, account, name, { metadata }, { abortSignal: signal }),
    )
  }
}

/**
 * Puts one message on the queue through the data plane (the credential needs
 * 'Storage Queue Data Message Sender' on the account), as base64 text: the
 * host's default message encoding.
 */
export async function sendMessage(
  context: AzureContext,
  request: SendRequest,
  signal: AbortSignal | undefined,
): Promise<{ messageId: string }> {
  const [{ QueueClient }, credential] = await Promise.all([import('@azure/storage-queue'), context.sdk.credential()])
  const account = storageAccountName(context.scope)
  const client = new QueueClient(`https://${account}.queue.core.windows.net/${request.queue}`, credential, {
    retryOptions: { maxTries: 1 },
  })
  try {
    const sent = await client.sendMessage(Buffer.from(request.message).toString('base64'), { abortSignal: signal })
    return { messageId: sent.messageId }
  } catch (error) {
    if (signal?.aborted) throw error
    const refused = dataPlaneRefusal(
      error,
      (status) =>
        `Azure Storage refused a message for queue '${request.queue}' (HTTP ${status}); the credential needs 'Storage Queue Data Message Sender' on the storage account '${account}'`,
    )
    if (refused) throw refused
    throw mapArmError(error, 'sending a message to', `queue '${request.queue}'`)
  }
}
