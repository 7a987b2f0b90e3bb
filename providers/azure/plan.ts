/**
 * What a deploy would change on Azure, from reads only (the app, its
 * settings' names through the `list` action, the account's queues, a topic
 * trigger's Event Grid topics, a storage trigger's container and system topic): the hashes in the app's tags say whether the
 * code and the configuration change, the listed queues which are made or
 * deleted, the topics read whether one is made or deleted. deploy.ts computes
 * this same plan and applies exactly its changes, so the two cannot disagree.
 */
import type { Site } from '@azure/arm-appservice'
import { ConflictError } from '../../src/errors/conflict.ts'
import {
  configChange,
  createFunctionChange,
  type PlanChange,
  type PlanResponse,
  type TopicFacts,
  triggerChanges,
} from '../../src/plan.ts'
import type { PlanRequest, Warning } from '../../src/provider.ts'
import { queueNames } from '../../src/triggers/queue.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { instanceMemoryFor } from './capabilities.ts'
import type { AzureContext } from './context.ts'
import { armCall, armFind } from './errors.ts'
import { appName } from './names.ts'
import { fieldsFromSite, type RecordFields, toRecord, userEnvKeys } from './record.ts'
import { scaleAndConcurrencyOf } from './scale.ts'
import { type AccountQueue, azureQueueNames, checkQueueOwners, checkQueueTrigger, listQueues } from './triggers/queue.ts'
import { type AzureStorageFacts, checkStorageTrigger, readStorageFacts, withSystemTopic } from './triggers/storage.ts'
import { checkTopicTrigger, readTopicFacts, withTopicDeadLetters } from './triggers/topic.ts'

export interface AzureDiff {
  /** What the app's tags say is deployed; undefined when there is no app yet. */
  deployed: RecordFields | undefined
  sameCode: boolean
  sameConfig: boolean
}

/** The one comparison of an app with a request; an app cloudfn did not make is refused. */
export function diffAzure(context: AzureContext, existing: Site | undefined, request: PlanRequest): AzureDiff {
  const deployed = existing && fieldsFromSite(existing)
  if (existing && !deployed && !existing.tags?.['cloudfn:managed']) {
    throw new ConflictError({
      provider: 'azure',
      isRetryable: false,
      message: `An app named '${appName(context.scope, request.name)}' exists in '${context.settings.resourceGroup}' but was not created by cloudfn; remove it or deploy under another name`,
    })
  }
  return {
    deployed,
    sameCode: deployed?.codeHash === request.artifact?.sha256,
    sameConfig: deployed?.configHash === request.configHash,
  }
}

/** The memory Flex Consumption gives instead of the one asked for, as deploy reports it. */
export function memoryWarnings(memoryMb: number): Warning[] {
  const { warning } = instanceMemoryFor(memoryMb)
  return warning ? [warning] : []
}

/** The host moves failed messages to `<queue>-poison`, not to the portable `<queue>-dead-letter`. */
function withAzureQueues(changes: PlanChange[], name: string, triggers: ReadonlyArray<Trigger | undefined>): PlanChange[] {
  const renamed = new Map<string, string>()
  for (const trigger of triggers) {
    if (trigger?.kind === 'queue')
      renamed.set(`queue:${queueNames(trigger, name).deadLetter}`, `queue:${azureQueueNames(trigger, name).poison}`)
  }
  return changes.map((change) => {
    const resource = renamed.get(change.resource)
    return resource ? { ...change, resource, detail: change.detail.replace('dead-letter queue', 'poison queue') } : change
  })
}

/**
 * The queue writes syncQueues makes (triggers/queue.ts), from the account's
 * queues as listed: the trigger's queue and poison queue where missing, and
 * the function's other queues deleted.
 */
function queueChanges(queues: readonly AccountQueue[], name: string, trigger: Trigger | undefined): PlanChange[] {
  const wanted = trigger?.kind === 'queue' ? azureQueueNames(trigger, name) : undefined
  const names = wanted ? [wanted.queue, wanted.poison] : []
  const changes: PlanChange[] = []
  for (const queue of queues) {
    const owned = queue.owner.kind === 'function' && queue.owner.functionName === name
    if (owned && !names.includes(queue.name))
      changes.push({ kind: 'delete-queue', resource: `queue:${queue.name}`, detail: 'no longer read by the function' })
  }
  for (const queue of names) {
    if (!queues.some((listed) => listed.name === queue))
      changes.push({
        kind: 'create-queue',
        resource: `queue:${queue}`,
        detail: queue === wanted?.poison ? 'poison queue' : 'queue',
      })
  }
  return changes
}

/**
 * The trigger's changes, with the queue writes read from the account instead
 * of inferred from the two triggers, and a topic subscriber's Event Grid
 * changes from what was read of its topics (`topics`; triggers/topic.ts).
 */
function triggerChangesOn(
  name: string,
  app: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
  queues: readonly AccountQueue[] | undefined,
  topics: TopicFacts,
  storage: AzureStorageFacts,
): PlanChange[] {
  const azure = withAzureQueues(triggerChanges(name, before, after, topics, storage), name, [before, after])
  const inferred = withSystemTopic(withTopicDeadLetters(azure, name, app, before, after), storage, after)
  if (!queues) return inferred
  // A topic subscriber's dead-letter container is not a Storage queue: only the queues are read from the account.
  const isQueue = (change: PlanChange) =>
    (change.kind === 'create-queue' || change.kind === 'delete-queue') && change.resource.startsWith('queue:')
  const links = inferred.filter((change) => !isQueue(change))
  const read = queueChanges(queues, name, after)
  // In src/plan.ts's order: queues made, then links, then queues deleted.
  return [...read.filter((c) => c.kind === 'create-queue'), ...links, ...read.filter((c) => c.kind === 'delete-queue')]
}

/** A plan with what deploy needs to apply it. */
export interface AzurePlan extends PlanResponse {
  diff: AzureDiff
  /** The account's queues, listed when the deploy changes a queue-triggered function (or one that was). */
  queues: AccountQueue[] | undefined
}

/**
 * The changes a deploy of `request` makes over `existing` (the app, read by
 * the caller). Deploy applies exactly these (deploy.ts), so `cloud.plan()`
 * shows what a deploy does; reads only.
 */
export async function planAgainst(
  context: AzureContext,
  existing: Site | undefined,
  request: PlanRequest,
  signal: AbortSignal | undefined,
): Promise<AzurePlan> {
  const { name, trigger } = request
  const app = appName(context.scope, name)
  const warnings = memoryWarnings(request.memoryMb)
  const diff = diffAzure(context, existing, request)
  const { deployed, sameCode, sameConfig } = diff
  if (deployed && sameCode && sameConfig) return { changes: [], warnings, diff, queues: undefined }
  // A deploy that changes something reads the account's queues first and refuses one another function owns (a read: ARM's list).
  const queues = trigger?.kind === 'queue' || deployed?.trigger?.kind === 'queue' ? await listQueues(context, signal) : undefined
  if (trigger?.kind === 'queue' && queues) checkQueueOwners(queues, trigger, name)
  if (!deployed) {
    // An app without cloudfn's tags is one a deploy stopped in (they are written last): the next deploy finishes it.
    const unfinished = `the app '${app}' an earlier deploy left unfinished`
    const first: PlanChange[] = existing
      ? [
          { kind: 'update-code', resource: `function:${name}`, detail: unfinished },
          { kind: 'update-config', resource: `function:${name}`, detail: unfinished },
        ]
      : [createFunctionChange(name, request)]
    const topics = await readTopicFacts(context, name, undefined, trigger, signal)
    const storage = await readStorageFacts(context, name, undefined, trigger, signal)
    const changes = [...first, ...triggerChangesOn(name, app, undefined, trigger, queues, topics, storage)]
    return { changes, warnings, diff, queues }
  }
  const changes: PlanChange[] = []
  if (!sameCode) changes.push({ kind: 'update-code', resource: `function:${name}`, detail: 'new package' })
  if (!sameConfig) {
    const { web } = await context.sdk.clients()
    // POST .../config/appsettings/list: a read (it returns the values; only their names are kept).
    const settings = await armCall('reading the settings of', `app '${app}'`, () =>
      web.webApps.listApplicationSettings(context.settings.resourceGroup, app, { abortSignal: signal }),
    )
    const record = toRecord(deployed, app, userEnvKeys(settings.properties ?? {}))
    const topics = await readTopicFacts(context, name, deployed.trigger, trigger, signal)
    const storage = await readStorageFacts(context, name, deployed.trigger, trigger, signal)
    changes.push(
      configChange(name, record, request),
      ...triggerChangesOn(name, app, deployed.trigger, trigger, queues, topics, storage),
    )
  } else if (queues) {
    // Same trigger, new code: a queue an earlier deploy did not finish making is made now.
    changes.push(...queueChanges(queues, name, trigger))
  }
  return { changes, warnings, diff, queues }
}

export async function planDeploy(
  context: AzureContext,
  request: PlanRequest,
  signal: AbortSignal | undefined,
): Promise<PlanResponse> {
  checkRequest(request)
  const { web } = await context.sdk.clients()
  const app = appName(context.scope, request.name)
  const existing = await armFind('reading', `app '${app}'`, () =>
    web.webApps.get(context.settings.resourceGroup, app, { abortSignal: signal }),
  )
  const { changes, warnings } = await planAgainst(context, existing, request, signal)
  return { changes, warnings }
}

/** Deploy's checks without I/O, in its order: a plan refuses what a deploy would, before any read. */
export function checkRequest(request: PlanRequest): void {
  scaleAndConcurrencyOf(request.scale, request.providerOptions)
  if (request.trigger?.kind === 'queue') checkQueueTrigger(request.trigger, request.name)
  if (request.trigger?.kind === 'topic') checkTopicTrigger(request.trigger)
  if (request.trigger?.kind === 'storage') checkStorageTrigger(request.trigger)
}
