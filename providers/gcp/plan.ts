/**
 * What a deploy would change on Cloud Functions, from one read (GetFunction),
 * with the comparison deploy.ts uses (the code and config labels, the state,
 * HTTP vs event-triggered), so the two cannot disagree.
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
import { checkDeploy } from './deploy-checks.ts'
import { functionState } from './enums.ts'
import { CODE_LABEL, CONFIG_LABEL, hexToLabel } from './labels.ts'
import { toRecord } from './record.ts'
import type { GcpFunction } from './sdk.ts'
import { bucketExists, leavingDeletesBucket } from './triggers/storage.ts'
import { storedTrigger } from './triggers/stored.ts'
import { syncTrigger } from './triggers/sync.ts'
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

const isPublic = (trigger: Trigger | undefined) => trigger?.kind === 'http' && trigger.auth === 'public'

/** Cloud Run's invoker binding for `allUsers`, which a public HTTP trigger grants and any other takes back. */
function invokerChanges(before: Trigger | undefined, after: Trigger | undefined): PlanChange[] {
  const resource = 'role:roles/run.invoker'
  if (isPublic(after) && !isPublic(before)) return [{ kind: 'grant-role', resource, detail: 'allUsers may call the function' }]
  if (isPublic(before) && !isPublic(after))
    return [{ kind: 'revoke-role', resource, detail: 'allUsers may no longer call the function' }]
  return []
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

export async function planDeploy(plane: ControlPlane, request: PlanRequest): Promise<PlanResponse> {
  const { name, trigger } = request
  // Deploy's own checks (deploy-checks.ts): what a deploy refuses, a plan refuses with the same error, having read only.
  await checkDeploy(plane, request)
  const existing = await getFunction(plane, name)
  const changesOf = async (before: Trigger | undefined) =>
    triggerChanges(
      name,
      before,
      trigger,
      await readTopicFacts(plane, name, before, trigger),
      await readStorageFacts(plane, name, before, trigger),
    )
  if (!existing)
    return {
      changes: [createFunctionChange(name, request), ...(await changesOf(undefined)), ...invokerChanges(undefined, trigger)],
      warnings: [],
    }
  const diff = diffGcp(existing, request)
  if (diff.active && diff.sameCode && diff.sameConfig) {
    // Deploy's own trigger sync, stopped before its first write: what a deploy that crashed half-way left to repair.
    if (!(await wouldRepairTrigger(plane, existing, name, trigger))) return { changes: [], warnings: [] }
    const repairs = (await changesOf(undefined)).map((change) => ({
      ...change,
      detail: `${change.detail} (missing or different: repaired)`,
    }))
    return { changes: [...repairs, ...invokerChanges(undefined, trigger)], warnings: [] }
  }
  const previous = storedTrigger(existing.serviceConfig?.environmentVariables)
  if (diff.replace) {
    const replaced = {
      kind: 'replace-function',
      resource: `function:${name}`,
      detail: 'an HTTP function cannot become event-triggered in place, nor back',
    } as const
    return { changes: [replaced, ...(await changesOf(previous)), ...invokerChanges(previous, trigger)], warnings: [] }
  }
  const changes: PlanChange[] = []
  if (!diff.sameCode || !diff.active) {
    const detail = diff.sameCode ? `the source again (the function is ${functionState(existing.state)})` : 'new code'
    changes.push({ kind: 'update-code', resource: `function:${name}`, detail })
  }
  if (!diff.sameConfig) {
    changes.push(
      configChange(name, toRecord(existing), request),
      ...(await changesOf(previous)),
      ...invokerChanges(previous, trigger),
    )
  }
  return { changes, warnings: [] }
}
