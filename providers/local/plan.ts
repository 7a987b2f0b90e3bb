import { createHash } from 'node:crypto'
import type { PlanResponse, StorageFacts, TopicFacts } from '../../src/plan.ts'
import { configChange, createFunctionChange, triggerChanges } from '../../src/plan.ts'
import type { FunctionRecord, PlanRequest } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import type { LocalContext } from './context.ts'
import type { LocalDeployment } from './store.ts'

/** What the fake keeps as the code hash: the artifact's, or (inline) a hash of the handler's source. */
export function codeHashOf(request: PlanRequest): string {
  return request.artifact?.sha256 ?? createHash('sha256').update(String(request.definition.handler)).digest('hex')
}

export interface LocalDiff {
  codeHash: string
  sameCode: boolean
  sameConfig: boolean
}

/** The one comparison deploy and plan make: an unchanged deploy is one both see as unchanged. */
export function diffLocal(existing: LocalDeployment | undefined, request: PlanRequest): LocalDiff {
  const codeHash = codeHashOf(request)
  // Inline code has no artifact hash; the handler itself must be the same closure.
  const sameCode =
    existing?.record.codeHash === codeHash &&
    (request.artifact !== undefined || existing.definition?.handler === request.definition.handler)
  return { codeHash, sameCode, sameConfig: existing?.record.configHash === request.configHash }
}

/** Every deployment's record, as doList reads them (a persisted fake's from its folder; a damaged one is left out). */
export async function localRecords(context: LocalContext): Promise<FunctionRecord[]> {
  const { store, persistence } = context
  const names = persistence ? await persistence.names() : [...store.deployments.keys()]
  const records: FunctionRecord[] = []
  for (const name of names) {
    const deployment = await context.hydrate(name)
    if (deployment) records.push(deployment.record)
  }
  return records
}

/**
 * The fake's topics (topics.ts): one exists while a function subscribes to it,
 * is made by the first subscriber and goes with the last; `records` are every
 * deployment's.
 */
function localTopicFacts(
  records: readonly FunctionRecord[],
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): TopicFacts {
  const subscribed = (topic: string) =>
    records.some((record) => record.name !== name && record.trigger?.kind === 'topic' && record.trigger.name === topic)
  return {
    topicExists: after?.kind === 'topic' && subscribed(after.name),
    leftTopicDeleted: before?.kind === 'topic' && !subscribed(before.name),
  }
}

/** The fake's buckets (storage.ts): made by a subscriber's deploy if missing; the last one out deletes an empty one cloudfn made. */
function localStorageFacts(
  buckets: ReadonlyArray<{ name: string; keys: readonly string[]; madeByCloudfn: boolean }>,
  records: readonly FunctionRecord[],
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): StorageFacts {
  const left = before?.kind === 'storage' ? buckets.find((bucket) => bucket.name === before.bucket) : undefined
  const subscribed = (bucket: string) =>
    records.some((record) => record.name !== name && record.trigger?.kind === 'storage' && record.trigger.bucket === bucket)
  return {
    bucketExists: after?.kind === 'storage' && buckets.some((bucket) => bucket.name === after.bucket),
    leftBucketDeleted: left?.madeByCloudfn === true && left.keys.length === 0 && !subscribed(left.name),
  }
}

/** The changes a deploy of `request` makes over `existing` (the fake replaces the whole deployment, but says what differs). */
export function planLocal(
  existing: LocalDeployment | undefined,
  request: PlanRequest,
  records: readonly FunctionRecord[],
  buckets: ReadonlyArray<{ name: string; keys: readonly string[]; madeByCloudfn: boolean }> = [],
): PlanResponse {
  const { name, trigger } = request
  const changesFrom = (before: Trigger | undefined) =>
    triggerChanges(
      name,
      before,
      trigger,
      localTopicFacts(records, name, before, trigger),
      localStorageFacts(buckets, records, name, before, trigger),
    )
  if (!existing) return { changes: [createFunctionChange(name, request), ...changesFrom(undefined)], warnings: [] }
  const { sameCode, sameConfig } = diffLocal(existing, request)
  const changes = [
    ...(sameCode ? [] : [{ kind: 'update-code' as const, resource: `function:${name}`, detail: 'new code' }]),
    ...(sameConfig ? [] : [configChange(name, existing.record, request), ...changesFrom(existing.record.trigger)]),
  ]
  return { changes, warnings: [] }
}
