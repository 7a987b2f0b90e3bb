/**
 * What a deploy would change on AWS, from reads only (GetFunctionConfiguration,
 * and for an unchanged function the trigger reads an unchanged deploy makes),
 * with the comparison deploy.ts uses, so the two cannot disagree.
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import { ConflictError } from '../../src/errors/conflict.ts'
import {
  configChange,
  createFunctionChange,
  type PlanChange,
  type PlanResponse,
  type TopicFacts,
  triggerChanges,
} from '../../src/plan.ts'
import type { PlanRequest } from '../../src/provider.ts'
import { topicNames } from '../../src/triggers/topic.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { fail } from '../../src/validation.ts'
import { planReservation } from './concurrency.ts'
import type { AwsContext } from './context.ts'
import { type AwsFunctionOptions, readFunctionOptions } from './options.ts'
import {
  type CloudfnDescription,
  DESCRIPTION_CHARS,
  decodeDescription,
  encodeDescription,
  hexFromBase64,
  toRecord,
} from './record.ts'
import { EXECUTION_ROLE_NAME, SCHEDULER_ROLE } from './role.ts'
import { readStorageFacts } from './triggers/storage.ts'
import { triggerInPlace } from './triggers/sync.ts'
import { leavingDeletesTopic, topicExists } from './triggers/topic.ts'
import { getConfiguration } from './wait.ts'

/**
 * The function's description as deploy writes it (record.ts), refused before
 * anything is sent when it is longer than Lambda allows: only a very long
 * schedule expression or queue names get there.
 */
export function describedFor(request: PlanRequest): string {
  // The reservation cloudfn sets is recorded with it, so that only that one is ever removed (concurrency.ts).
  const description = encodeDescription({
    configHash: request.configHash,
    trigger: request.trigger,
    reserved: request.scale.maxInstances,
  })
  if (description.length > DESCRIPTION_CHARS) {
    fail(
      request.trigger?.kind === 'schedule' ? 'trigger.schedule' : 'trigger',
      `is too long to record on AWS (the function's description holds at most ${DESCRIPTION_CHARS} characters)`,
    )
  }
  return description
}

export interface AwsDiff {
  /** What cloudfn recorded in the function's description. */
  deployed: CloudfnDescription
  architecture: 'x86_64' | 'arm64'
  sameArchitecture: boolean
  /** Same zip (Lambda's CodeSha256) on the same architecture. */
  sameCode: boolean
  sameConfig: boolean
}

/** The one comparison of a deployed function with a request; a function cloudfn did not deploy is refused. */
export function diffAws(existing: FunctionConfiguration, request: PlanRequest, options: AwsFunctionOptions): AwsDiff {
  const deployed = decodeDescription(existing.Description)
  if (!deployed) {
    throw new ConflictError({
      provider: 'aws',
      isRetryable: false,
      message: `A Lambda function named '${request.name}' exists but was not deployed by cloudfn; choose another name or remove it first`,
    })
  }
  const architecture = options.architecture ?? 'x86_64'
  const sameArchitecture = (existing.Architectures?.[0] ?? 'x86_64') === architecture
  const sameCode = hexFromBase64(existing.CodeSha256) === request.artifact?.sha256 && sameArchitecture
  return { deployed, architecture, sameArchitecture, sameCode, sameConfig: deployed.configHash === request.configHash }
}

/** Roles the trigger's resources need: ensured (made if missing, policy put) when they are created. */
function roleGrants(changes: readonly PlanChange[], options: AwsFunctionOptions, context: AwsContext): PlanChange[] {
  const grants: PlanChange[] = []
  if (changes.some((change) => change.kind === 'create-schedule')) {
    grants.push({
      kind: 'grant-role',
      resource: `role:${SCHEDULER_ROLE.name}`,
      detail: 'EventBridge Scheduler may invoke the function',
    })
  }
  const ownRole = options.role ?? context.settings.role
  if (!ownRole && changes.some((change) => change.kind === 'update-queue-link')) {
    grants.push({ kind: 'grant-role', resource: `role:${EXECUTION_ROLE_NAME}`, detail: 'the function may read cloudfn queues' })
  }
  // syncTopic puts the policy that lets the execution role send to the dead-letter queue (role.ts allowDeadLetterSending).
  const subscribes = (change: PlanChange) => change.kind === 'update-topic-link' && !change.detail.startsWith('no longer')
  if (!ownRole && changes.some(subscribes)) {
    grants.push({
      kind: 'grant-role',
      resource: `role:${EXECUTION_ROLE_NAME}`,
      detail: 'the function may send to its dead-letter queue',
    })
  }
  return grants
}

/**
 * What triggerChanges needs to plan topic triggers, read as deploy's own steps
 * read it (syncTopic: is the topic there; leaveTopic: does leaving the old one
 * delete it). Reads only, and only for topic triggers.
 */
async function readTopicFacts(
  context: AwsContext,
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): Promise<TopicFacts> {
  const oldTopic = before?.kind === 'topic' ? topicNames(before, name).topic : undefined
  const newTopic = after?.kind === 'topic' ? topicNames(after, name).topic : undefined
  return {
    topicExists: newTopic !== undefined ? await topicExists(context, newTopic) : false,
    leftTopicDeleted:
      oldTopic !== undefined && oldTopic !== newTopic ? await leavingDeletesTopic(context, oldTopic, name) : false,
  }
}

/** The trigger's changes from `before` to `after`, with what was read for topic and storage triggers. */
const changesOf = async (context: AwsContext, name: string, before: Trigger | undefined, after: Trigger | undefined) =>
  triggerChanges(
    name,
    before,
    after,
    await readTopicFacts(context, name, before, after),
    await readStorageFacts(context, name, before, after),
  )

/** A plan with what deploy needs to apply it: the comparison, and the URL an unchanged HTTP function has. */
export interface AwsPlan extends PlanResponse {
  /** Undefined when the function does not exist yet. */
  diff: AwsDiff | undefined
  /** Read while checking an unchanged function's trigger. */
  url?: string | undefined
}

/**
 * The changes a deploy of `request` makes over `existing` (the function's
 * configuration, read by the caller). Deploy applies exactly these, so
 * `cloud.plan()` shows what a deploy does. Reads only the trigger's
 * resources, and only for an unchanged function (as deploys always did).
 */
export async function planAgainst(
  context: AwsContext,
  existing: FunctionConfiguration | undefined,
  request: PlanRequest,
  options: AwsFunctionOptions,
  signal?: AbortSignal,
): Promise<AwsPlan> {
  const { name, trigger } = request
  if (!existing) {
    const changes = [createFunctionChange(name, request), ...(await changesOf(context, name, undefined, trigger))]
    return { changes: [...changes, ...roleGrants(changes, options, context)], warnings: [], diff: undefined }
  }
  const diff = diffAws(existing, request, options)
  // In every path: a deploy that stopped after creating the function has no reservation yet (its config hash is
  // written), and one cloudfn set goes only when maxInstances does (concurrency.ts).
  const reservation = await planReservation(context, name, request.scale, diff.deployed.reserved, signal)
  const { warnings } = reservation
  const changes: PlanChange[] = []
  if (!diff.sameCode) {
    const detail = diff.sameArchitecture ? 'new code' : `new code for ${diff.architecture}`
    changes.push({ kind: 'update-code', resource: `function:${name}`, detail })
  }
  if (diff.sameConfig) {
    changes.push(...reservation.changes)
    if (!diff.sameCode) return { changes, warnings, diff }
    // A deploy that stopped after creating the function has no trigger resources yet: the next one makes them.
    const { ready, url } = await triggerInPlace(context, name, trigger)
    if (ready) return { changes, warnings, diff, url }
    const triggers = await changesOf(context, name, undefined, trigger)
    return { changes: [...changes, ...triggers, ...roleGrants(triggers, options, context)], warnings, diff, url }
  }
  changes.push(configChange(name, toRecord(existing), request), ...reservation.changes)
  const triggers = await changesOf(context, name, diff.deployed.trigger, trigger)
  // A function URL from before triggers existed goes with the first update that has no HTTP trigger.
  if (diff.deployed.legacyUrl && trigger?.kind !== 'http')
    triggers.push({ kind: 'delete-url', resource: `url:${name}`, detail: 'no HTTP trigger any more' })
  changes.push(...triggers, ...roleGrants(triggers, options, context))
  return { changes, warnings, diff }
}

export async function planDeploy(context: AwsContext, request: PlanRequest, signal?: AbortSignal): Promise<PlanResponse> {
  const options = readFunctionOptions(request.providerOptions)
  describedFor(request)
  const { changes, warnings } = await planAgainst(
    context,
    await getConfiguration(context, request.name, signal),
    request,
    options,
    signal,
  )
  return { changes, warnings }
}
