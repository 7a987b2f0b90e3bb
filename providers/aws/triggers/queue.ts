import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda'
import { NotFoundError } from '../../../src/errors/not-found.ts'
import {
  ownerFromMarker,
  type QueueClaim,
  type QueueMarkerKeys,
  type QueueOwner,
  type QueueOwnershipIo,
  queueClaims,
  queueMarker,
  releaseQueues,
} from '../../../src/triggers/ownership.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { QueueTrigger } from '../../../src/triggers/types.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { refusal, whileRolePropagates } from '../propagation.ts'
import { allowQueueReading } from '../role.ts'
import { MANAGED_TAG } from '../role-policies.ts'

/** The function a queue was made for, in its tags (gc removes queues whose function is gone). */
export const FUNCTION_TAG = 'cloudfn:function'
/** cloudfn's marker on a queue it made (src/triggers/ownership.ts): two tags, case-sensitive as SQS tags are (TagQueue). */
export const SQS_MARKER: QueueMarkerKeys = { managed: MANAGED_TAG.Key, function: FUNCTION_TAG }
/** Dead letters are kept as long as SQS allows: 14 days. */
export const DEAD_LETTER_RETENTION_SEC = 1_209_600
/** SQS's longest visibility timeout (12 hours). */
const MAX_VISIBILITY_SEC = 43_200

export interface QueueTarget {
  name: string
  arn: string
  timeoutSec: number
  role: string
}

function isQueueMissing(error: unknown): boolean {
  const name = (error as { cause?: { name?: string } }).cause?.name ?? ''
  return NotFoundError.isInstance(error) || name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue'
}

/** A queue's ARN: SQS builds it from the region, account and name, as the function's own ARN is built. */
export function queueArn(functionArn: string, queue: string): string {
  const [arn, partition, , region, account] = functionArn.split(':')
  return [arn, partition, 'sqs', region, account, queue].join(':')
}

/**
 * Lambda discards a batch whose visibility timeout is shorter than the
 * function's timeout (it refuses the mapping); AWS recommends six times it.
 */
export function visibilityTimeoutSec(timeoutSec: number): number {
  return Math.min(MAX_VISIBILITY_SEC, Math.max(30, timeoutSec * 6))
}

export async function ensureQueue(
  context: AwsContext,
  name: string,
  functionName: string,
  attributes: Record<string, string>,
): Promise<string> {
  const { client, sdk } = await context.clients.sqs()
  const at = control('queue update', name)
  try {
    const created = await awsCall(at, () =>
      client.send(
        new sdk.CreateQueueCommand({
          QueueName: name,
          Attributes: attributes,
          tags: queueMarker(SQS_MARKER, functionName),
        }),
      ),
    )
    return created.QueueUrl ?? ''
  } catch (error) {
    // It exists with other attributes (an earlier deploy): bring them up to date.
    if ((error as { cause?: { name?: string } }).cause?.name !== 'QueueNameExists') throw error
    const url = await queueUrl(context, name)
    await awsCall(at, () => client.send(new sdk.SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes })))
    return url
  }
}

/** The queue's URL, cached per name: send() needs it for every message. */
export function queueUrl(context: AwsContext, name: string): Promise<string> {
  let found = context.queueUrls.get(name)
  if (!found) {
    found = (async () => {
      const { client, sdk } = await context.clients.sqs()
      const answer = await awsCall(control('queue lookup', name), () =>
        client.send(new sdk.GetQueueUrlCommand({ QueueName: name })),
      )
      return answer.QueueUrl ?? ''
    })()
    found.catch(() => context.queueUrls.delete(name))
    context.queueUrls.set(name, found)
  }
  return found
}

async function mappingsOf(context: AwsContext, functionName: string): Promise<EventSourceMappingConfiguration[]> {
  const { client, sdk } = await context.clients.lambda()
  const all: EventSourceMappingConfiguration[] = []
  let marker: string | undefined
  do {
    const page = await awsCall(control('event source lookup', functionName), () =>
      client.send(new sdk.ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker })),
    )
    all.push(...(page.EventSourceMappings ?? []))
    marker = page.NextMarker
  } while (marker)
  return all
}

async function deleteMapping(context: AwsContext, functionName: string, uuid: string): Promise<void> {
  const { client, sdk } = await context.clients.lambda()
  try {
    await awsCall(control('event source removal', functionName), () =>
      client.send(new sdk.DeleteEventSourceMappingCommand({ UUID: uuid })),
    )
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
  }
}

/** Lambda checks the role's SQS permissions when the mapping is made; a policy attached seconds ago may not count yet. */
const cannotReadQueue = refusal('InvalidParameterValueException', /execution role does not have permissions/i)

/**
 * The queue and its dead-letter queue (redrive after maxRetries + 1
 * receives) and one event source mapping from it to the function, reporting
 * failures per message; mappings from other queues are deleted.
 */
export async function syncQueue(context: AwsContext, target: QueueTarget, trigger: QueueTrigger): Promise<void> {
  const names = queueNames(trigger, target.name)
  const deadLetterArn = queueArn(target.arn, names.deadLetter)
  await ensureQueue(context, names.deadLetter, target.name, { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SEC) })
  await ensureQueue(context, names.queue, target.name, {
    VisibilityTimeout: String(visibilityTimeoutSec(target.timeoutSec)),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: trigger.maxRetries + 1 }),
  })
  await allowQueueReading(context, target.role)
  const sourceArn = queueArn(target.arn, names.queue)
  const { client, sdk } = await context.clients.lambda()
  const at = control('event source update', target.name)
  const settings = { BatchSize: trigger.batchSize, FunctionResponseTypes: ['ReportBatchItemFailures' as const] }
  let current: EventSourceMappingConfiguration | undefined
  for (const mapping of await mappingsOf(context, target.name)) {
    if (mapping.EventSourceArn === sourceArn && !current) current = mapping
    else if (mapping.UUID) await deleteMapping(context, target.name, mapping.UUID)
  }
  if (current?.UUID) {
    const uuid = current.UUID
    if (current.BatchSize !== trigger.batchSize)
      await awsCall(at, () => client.send(new sdk.UpdateEventSourceMappingCommand({ UUID: uuid, ...settings })))
    return
  }
  const create = () =>
    awsCall(at, () =>
      client.send(
        new sdk.CreateEventSourceMappingCommand({
          FunctionName: target.name,
          EventSourceArn: sourceArn,
          Enabled: true,
          ...settings,
        }),
      ),
    )
  await whileRolePropagates(context, create, cannotReadQueue)
}

/** Whether the function's mapping still exists (a deploy that stopped half-way has none). */
export async function hasMapping(context: AwsContext, functionName: string): Promise<boolean> {
  return (await mappingsOf(context, functionName)).length > 0
}

/** Stops delivery to the function: its event source mappings go. */
export async function deleteMappings(context: AwsContext, functionName: string): Promise<void> {
  for (const mapping of await mappingsOf(context, functionName)) {
    if (mapping.UUID) await deleteMapping(context, functionName, mapping.UUID)
  }
}

/** Deletes a queue; one already gone is fine. */
export async function deleteQueue(context: AwsContext, name: string): Promise<void> {
  const { client, sdk } = await context.clients.sqs()
  try {
    const url = await queueUrl(context, name)
    await awsCall(control('queue removal', name), () => client.send(new sdk.DeleteQueueCommand({ QueueUrl: url })))
  } catch (error) {
    if (!isQueueMissing(error)) throw error
  } finally {
    context.queueUrls.delete(name)
  }
}

/** Who the queue belongs to, by its tags (ListQueueTags). */
async function queueOwner(context: AwsContext, name: string): Promise<QueueOwner> {
  let url: string
  try {
    url = await queueUrl(context, name)
  } catch (error) {
    if (isQueueMissing(error)) return { kind: 'absent' }
    throw error
  }
  const { client, sdk } = await context.clients.sqs()
  const tags =
    (await awsCall(control('queue lookup', name), () => client.send(new sdk.ListQueueTagsCommand({ QueueUrl: url })))).Tags ?? {}
  return ownerFromMarker(SQS_MARKER, tags)
}

/** SQS's I/O for the queue-ownership rule. */
export function sqsOwnership(context: AwsContext): QueueOwnershipIo {
  return {
    owner: (claim: QueueClaim) => queueOwner(context, claim.name),
    delete: (claim: QueueClaim) => deleteQueue(context, claim.name),
  }
}

/** The trigger's queue and dead-letter queue, as ownership claims. */
export const sqsClaims = (trigger: QueueTrigger, functionName: string) =>
  queueClaims(queueNames(trigger, functionName), 'SQS queue')

/**
 * The queues the trigger made, dead-letter queue included: only those whose
 * tags name this function, so a queue someone else made (or took over) since
 * the deploy stays; `keep` names queues the function goes on using.
 */
export async function deleteQueues(
  context: AwsContext,
  functionName: string,
  trigger: QueueTrigger,
  keep: ReadonlySet<string> = new Set(),
): Promise<void> {
  await releaseQueues(sqsOwnership(context), sqsClaims(trigger, functionName), functionName, keep)
}

/** Queues cloudfn made (by their tag): name, the function they were made for, and when they last changed. */
export async function listManagedQueues(
  context: AwsContext,
): Promise<Array<{ name: string; functionName: string; changedAt: string | undefined }>> {
  const { client, sdk } = await context.clients.sqs()
  const at = control('gc')
  const urls: string[] = []
  let token: string | undefined
  do {
    const page = await awsCall(at, () => client.send(new sdk.ListQueuesCommand({ NextToken: token, MaxResults: 1000 })))
    urls.push(...(page.QueueUrls ?? []))
    token = page.NextToken
  } while (token)
  const found: Array<{ name: string; functionName: string; changedAt: string | undefined }> = []
  for (const url of urls) {
    const tags = (await awsCall(at, () => client.send(new sdk.ListQueueTagsCommand({ QueueUrl: url })))).Tags ?? {}
    const owner = ownerFromMarker(SQS_MARKER, tags)
    if (owner.kind !== 'function') continue
    const functionName = owner.functionName
    const attributes = await awsCall(at, () =>
      client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['LastModifiedTimestamp'] })),
    )
    const seconds = Number(attributes.Attributes?.LastModifiedTimestamp)
    found.push({
      name: url.slice(url.lastIndexOf('/') + 1),
      functionName,
      changedAt: Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined,
    })
  }
  return found
}
