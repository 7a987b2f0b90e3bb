/**
 * What a deploy would change on Cloud Functions, from reads only: the
 * function (its code and config labels, its state, HTTP vs event-triggered),
 * the trigger's resources and the Cloud Run invoker policy. deploy.ts
 * computes this same plan and applies exactly its changes, so the two cannot
 * disagree.
 */
import {
  configChange,
  createFunctionChange,
  type PlanChange,
  type PlanResponse,
  type StorageFacts,
  type TopicFacts,
  triggerChanges,
} from '../../src/plan.ts'
import type { PlanRequest } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { type ControlPlane, getFunction } from './control-plane.ts'
import { checkDeploy, type Options } from './deploy-checks.ts'
import { functionState } from './enums.ts'
import { CODE_LABEL, CONFIG_LABEL, hexToLabel } from './labels.ts'
import { toRecord } from './record.ts'
import type { GcpFunction } from './sdk.ts'
import { ALL_USERS, invokerDelta } from './triggers/invokers.ts'
import { attemptDeadline } from './triggers/scheduler.ts'
import { bucketExists, leavingDeletesBucket } from './triggers/storage.ts'
import { storedTrigger } from './triggers/stored.ts'
import { isPublicHttp, platformCallers, syncTrigger } from './triggers/sync.ts'
import { leavingDeletesTopic, pubsubNames, topicExists } from './triggers/topic.ts'

/** The API cannot turn an HTTP function into an event-triggered one or back: such a change replaces the function. */
export const isEventTriggered = (fn: GcpFunction | undefined) => !!fn?.eventTrigger?.eventType

export interface GcpDiff {
  sameCode: boolean
  sameConfig: boolean
  /** ACTIVE: a function whose last build failed is deployed again even when its hashes match. */
  active: boolean
  /** Deleted and created again (see isEventTriggered). */
  replace: boolean
}

/** The one comparison of a deployed function with a request. */
export function diffGcp(existing: GcpFunction | undefined, request: PlanRequest): GcpDiff {
  const labels = existing?.labels ?? {}
  return {
    sameCode: labels[CODE_LABEL] === hexToLabel(request.artifact?.sha256 ?? ''),
    sameConfig: labels[CONFIG_LABEL] === hexToLabel(request.configHash),
    active: existing !== undefined && functionState(existing.state) === 'ACTIVE',
    replace:
      existing !== undefined &&
      isEventTriggered(existing) !==
        (pubsubNames(request.trigger, request.name) !== undefined || request.trigger?.kind === 'storage'),
  }
}

/** Who signs the platform's calls to a function with this trigger, for the plan's words. */
const signer = (trigger: Trigger | undefined) => (trigger?.kind === 'schedule' ? 'Cloud Scheduler' : 'Eventarc')

/** A grant or revocation of Cloud Run's invoker role, one per member. */
function invokerChange(kind: 'grant-role' | 'revoke-role', member: string, trigger: Trigger | undefined): PlanChange {
  const resource = 'role:roles/run.invoker'
  const who = member === ALL_USERS ? 'allUsers' : member
  if (kind === 'revoke-role') return { kind, resource, detail: `${who} may no longer call the function` }
  const why = member === ALL_USERS ? '' : ` (${signer(trigger)} signs its calls as it)`
  return { kind, resource, detail: `${who} may call the function${why}` }
}

/**
 * Cloud Run's invoker grants on a service the deploy creates (a new or
 * replaced function): its policy is empty, so every member the trigger sync
 * grants (triggers/sync.ts) is a change. The platform's service account is
 * the function's own, which Cloud Functions picks when none is given.
 */
function freshInvokers(trigger: Trigger | undefined, options: Options): PlanChange[] {
  // Stands for the account Cloud Functions picks, unknown until the function exists.
  const picked = 'picked-by-cloud-functions'
  const projected: GcpFunction = { serviceConfig: { serviceAccountEmail: options.serviceAccountEmail ?? picked } }
  const members = [...(isPublicHttp(trigger) ? [ALL_USERS] : []), ...platformCallers(projected, trigger)]
  return members.map((member) => {
    const change = invokerChange('grant-role', member, trigger)
    if (member !== `serviceAccount:${picked}`) return change
    return { ...change, detail: `the function's service account may call it (${signer(trigger)} signs its calls as it)` }
  })
}

/**
 * The invoker changes the trigger sync makes on an updated function's
 * service, from its policy as it is (a read), with the members the sync
 * computes (the function's service account as the update leaves it).
 */
async function updatedInvokers(
  plane: ControlPlane,
  existing: GcpFunction,
  previous: Trigger | undefined,
  trigger: Trigger | undefined,
  options: Options,
): Promise<PlanChange[]> {
  const service = existing.serviceConfig?.service
  const email = options.serviceAccountEmail ?? existing.serviceConfig?.serviceAccountEmail
  const projected: GcpFunction = {
    ...existing,
    serviceConfig: { ...existing.serviceConfig, ...(email ? { serviceAccountEmail: email } : {}) },
    ...(existing.eventTrigger
      ? { eventTrigger: { ...existing.eventTrigger, ...(options.serviceAccountEmail ? { serviceAccountEmail: email } : {}) } }
      : {}),
  }
  const grant = [...(isPublicHttp(trigger) ? [ALL_USERS] : []), ...platformCallers(projected, trigger)]
  // The sync's own condition (triggers/sync.ts): it looks at the policy only for these.
  if (!service || !(grant.length > 0 || isPublicHttp(previous) || trigger?.kind === 'http')) return []
  const { granted, revoked } = await invokerDelta(plane.rest, service, {
    grant,
    revoke: isPublicHttp(trigger) ? [] : [ALL_USERS],
  })
  return [
    ...granted.map((member) => invokerChange('grant-role', member, trigger)),
    ...revoked.map((member) => invokerChange('revoke-role', member, trigger)),
  ]
}

/** A schedule's job waits as long as the function may run: a new timeout changes the job too (triggers/scheduler.ts). */
function deadlineChange(name: string, existing: GcpFunction, previous: Trigger | undefined, request: PlanRequest): PlanChange[] {
  const { trigger } = request
  if (previous?.kind !== 'schedule' || trigger?.kind !== 'schedule') return []
  const before = attemptDeadline(existing.serviceConfig?.timeoutSeconds ?? 60).seconds
  const after = attemptDeadline(request.timeoutSec).seconds
  if (before === after) return []
  return [{ kind: 'update-schedule', resource: `schedule:${name}`, detail: `attempt deadline ${before} → ${after} s` }]
}

/** Thrown by the plan's `beforeChange`: the sync would write, so it stops there. */
class WouldWrite extends Error {}

/**
 * Runs the sync an unchanged deploy runs (triggers/sync.ts), whose every step
 * reads (GET) and calls `beforeChange` before its first write; the plan's
 * `beforeChange` throws, so nothing is written and the answer is whether
 * anything would be.
 */
async function wouldRepairTrigger(
  plane: ControlPlane,
  fn: GcpFunction,
  name: string,
  trigger: Trigger | undefined,
): Promise<boolean> {
  if (!trigger) return false
  try {
    await syncTrigger(plane, fn, name, trigger, trigger, () => {
      throw new WouldWrite('the trigger sync would write')
    })
    return false
  } catch (error) {
    if (error instanceof WouldWrite) return true
    throw error
  }
}

/**
 * What triggerChanges needs to plan topic triggers, read as deploy's own steps
 * read it (ensureTopicResources: is the shared topic there; releaseTopic: does
 * leaving the old one delete it).
 */
async function readTopicFacts(
  plane: ControlPlane,
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): Promise<TopicFacts> {
  const moved = before?.kind === 'topic' && (after?.kind !== 'topic' || after.name !== before.name)
  return {
    topicExists: after?.kind === 'topic' ? await topicExists(plane, after.name) : false,
    leftTopicDeleted: moved ? await leavingDeletesTopic(plane, before.name, name) : false,
  }
}

/** What triggerChanges needs to plan storage triggers, read as deploy's own steps read it (triggers/storage.ts). */
async function readStorageFacts(
  plane: ControlPlane,
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): Promise<StorageFacts> {
  const moved = before?.kind === 'storage' && (after?.kind !== 'storage' || after.bucket !== before.bucket)
  return {
    bucketExists: after?.kind === 'storage' ? await bucketExists(plane, after.bucket) : false,
    leftBucketDeleted: moved ? await leavingDeletesBucket(plane, before.bucket, name) : false,
  }
}

/** A plan with what deploy needs to apply it. */
export interface GcpPlan extends PlanResponse {
  /** Undefined when the function does not exist yet. */
  diff: GcpDiff | undefined
  /** The trigger the function was deployed with, whose resources the deploy releases. */
  previous: Trigger | undefined
}

/**
 * The changes a deploy of `request` makes over `existing` (the function as
 * read by the caller). Deploy applies exactly these (deploy.ts), so
 * `cloud.plan()` shows what a deploy does; reads only.
 */
export async function planAgainst(
  plane: ControlPlane,
  existing: GcpFunction | undefined,
  request: PlanRequest,
  options: Options,
): Promise<GcpPlan> {
  const { name, trigger } = request
  const changesOf = async (before: Trigger | undefined) =>
    triggerChanges(
      name,
      before,
      trigger,
      await readTopicFacts(plane, name, before, trigger),
      await readStorageFacts(plane, name, before, trigger),
    )
  if (!existing) {
    const changes = [createFunctionChange(name, request), ...(await changesOf(undefined)), ...freshInvokers(trigger, options)]
    return { changes, warnings: [], diff: undefined, previous: undefined }
  }
  const diff = diffGcp(existing, request)
  const previous = storedTrigger(existing.serviceConfig?.environmentVariables)
  const plan = (changes: PlanChange[]): GcpPlan => ({ changes, warnings: [], diff, previous })
  if (diff.active && diff.sameConfig) {
    const changes: PlanChange[] = diff.sameCode ? [] : [{ kind: 'update-code', resource: `function:${name}`, detail: 'new code' }]
    // Deploy's own trigger sync, stopped before its first write: what a deploy that crashed half-way left to repair.
    if (!(await wouldRepairTrigger(plane, existing, name, trigger))) return plan(changes)
    const repairs = (await changesOf(undefined)).map((change) => ({
      ...change,
      detail: `${change.detail} (missing or different: repaired)`,
    }))
    return plan([...changes, ...repairs, ...(await updatedInvokers(plane, existing, trigger, trigger, options))])
  }
  if (diff.replace) {
    const replaced = {
      kind: 'replace-function',
      resource: `function:${name}`,
      detail: 'an HTTP function cannot become event-triggered in place, nor back',
    } as const
    return plan([replaced, ...(await changesOf(previous)), ...freshInvokers(trigger, options)])
  }
  const changes: PlanChange[] = []
  if (!diff.sameCode || !diff.active) {
    const detail = diff.sameCode ? `the source again (the function is ${functionState(existing.state)})` : 'new code'
    changes.push({ kind: 'update-code', resource: `function:${name}`, detail })
  }
  if (!diff.sameConfig) changes.push(configChange(name, toRecord(existing), request))
  const triggers = [...(await changesOf(previous)), ...deadlineChange(name, existing, previous, request)]
  if (!diff.active) {
    // A function that is not ACTIVE may lack its trigger's resources: the sync after the update makes what is missing.
    const key = (change: PlanChange) => `${change.kind} ${change.resource}`
    const listed = new Set(triggers.map(key))
    for (const change of await changesOf(undefined))
      if (!listed.has(key(change))) triggers.push({ ...change, detail: `${change.detail} (made if missing)` })
  }
  changes.push(...triggers, ...(await updatedInvokers(plane, existing, previous, trigger, options)))
  return plan(changes)
}

export async function planDeploy(plane: ControlPlane, request: PlanRequest): Promise<PlanResponse> {
  // Deploy's own checks (deploy-checks.ts): what a deploy refuses, a plan refuses with the same error, having read only.
  const options = await checkDeploy(plane, request)
  const { changes, warnings } = await planAgainst(plane, await getFunction(plane, request.name), request, options)
  return { changes, warnings }
}
