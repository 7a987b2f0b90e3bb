/**
 * What a deploy would change on Azure, from reads only (the app, and its
 * settings' names through the `list` action), with the comparison deploy.ts
 * uses (the hashes in the app's tags), so the two cannot disagree.
 */
import type { Site } from '@azure/arm-appservice'
import { ConflictError } from '../../src/errors/conflict.ts'
import { configChange, createFunctionChange, type PlanChange, type PlanResponse, triggerChanges } from '../../src/plan.ts'
import type { PlanRequest, Warning } from '../../src/provider.ts'
import { queueNames } from '../../src/triggers/queue.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { instanceMemoryFor } from './capabilities.ts'
import type { AzureContext } from './context.ts'
import { armCall, armFind } from './errors.ts'
import { appName } from './names.ts'
import { fieldsFromSite, type RecordFields, toRecord, userEnvKeys } from './record.ts'
import { scaleAndConcurrencyOf } from './scale.ts'
import { azureQueueNames, checkQueueOwners, checkQueueTrigger, listQueues } from './triggers/queue.ts'
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

export async function planDeploy(
  context: AzureContext,
  request: PlanRequest,
  signal: AbortSignal | undefined,
): Promise<PlanResponse> {
  const { name, trigger } = request
  // Deploy's own checks, in deploy's order (deploy.ts): a plan refuses what a deploy would, before any read.
  scaleAndConcurrencyOf(request.scale, request.providerOptions)
  if (trigger?.kind === 'queue') checkQueueTrigger(trigger, name)
  if (trigger?.kind === 'topic') checkTopicTrigger(trigger)
  const { web } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  const app = appName(context.scope, name)
  const warnings = memoryWarnings(request.memoryMb)
  const existing = await armFind('reading', `app '${app}'`, () => web.webApps.get(resourceGroup, app, { abortSignal: signal }))
  const { deployed, sameCode, sameConfig } = diffAzure(context, existing, request)
  // A deploy that changes something reads the account's queues first and refuses one another function owns (a read: ARM's list).
  if (trigger?.kind === 'queue' && !(deployed && sameCode && sameConfig))
    checkQueueOwners(await listQueues(context, signal), trigger, name)
  if (!deployed) {
    // An app without cloudfn's tags is one a deploy stopped in (they are written last): the next deploy finishes it.
    const unfinished = `the app '${app}' an earlier deploy left unfinished`
    const first: PlanChange[] = existing
      ? [
          { kind: 'update-code', resource: `function:${name}`, detail: unfinished },
          { kind: 'update-config', resource: `function:${name}`, detail: unfinished },
        ]
      : [createFunctionChange(name, request)]
    const topics = await readTopicFacts(context, undefined, trigger, signal)
    const planned = withAzureQueues([...first, ...triggerChanges(name, undefined, trigger, topics)], name, [trigger])
    return { changes: withTopicDeadLetters(planned, name, app, [trigger]), warnings }
  }
  const changes: PlanChange[] = []
  if (!sameCode) changes.push({ kind: 'update-code', resource: `function:${name}`, detail: 'new package' })
  if (!sameConfig) {
    // POST .../config/appsettings/list: a read (it returns the values; only their names are kept).
    const settings = await armCall('reading the settings of', `app '${app}'`, () =>
      web.webApps.listApplicationSettings(resourceGroup, app, { abortSignal: signal }),
    )
    const record = toRecord(deployed, app, userEnvKeys(settings.properties ?? {}))
    const topics = await readTopicFacts(context, deployed.trigger, trigger, signal)
    changes.push(configChange(name, record, request), ...triggerChanges(name, deployed.trigger, trigger, topics))
  }
  const triggers = [deployed.trigger, trigger]
  return { changes: withTopicDeadLetters(withAzureQueues(changes, name, triggers), name, app, triggers), warnings }
}
