/**
 * A deploy plan: what `deploy()` would change on the cloud, computed by a
 * provider's `doPlan` from read calls only. Plain data, safe to print: a
 * change names a resource and says what differs, never a value of the
 * environment (only variable names) nor a key or token.
 */
import type { FunctionRecord, Warning } from './provider.ts'
import { type ScaleSettings, scaleChanges } from './scale.ts'
import { queueNames } from './triggers/queue.ts'
import { topicNames } from './triggers/topic.ts'
import type { Trigger } from './triggers/types.ts'

/** What one change does, to which kind of resource. */
export type PlanChangeKind =
  | 'create-function'
  /** The function is deleted and created again (a change the cloud cannot make in place). */
  | 'replace-function'
  | 'update-code'
  | 'update-config'
  /** The function's instance ceiling or warm instances (`maxInstances`, `minInstances`). */
  | 'update-scale'
  | 'create-url'
  | 'update-url'
  | 'delete-url'
  | 'create-schedule'
  | 'update-schedule'
  | 'delete-schedule'
  | 'create-queue'
  | 'delete-queue'
  /** What connects a queue to the function (an event source mapping, a subscription, host settings). */
  | 'update-queue-link'
  /** A topic's shared resource, made by its first subscriber's deploy when it does not exist yet. */
  | 'create-topic'
  /** The shared topic, deleted by its last subscriber's deploy when cloudfn made it (a topic it did not make is kept). */
  | 'delete-topic'
  /**
   * What delivers a topic's messages to this function (its own subscription): made, changed (retries,
   * dead letter) or taken away. A subscriber's own dead-letter queue is a `create-queue`/`delete-queue`.
   */
  | 'update-topic-link'
  /** The bucket a storage trigger reads, made by its deploy when it does not exist yet. */
  | 'create-bucket'
  /** The bucket, deleted when its last subscriber leaves, if cloudfn made it and it holds no objects. */
  | 'delete-bucket'
  /** Which changes of a bucket start this function (events, prefix, suffix): set, changed or taken away. */
  | 'update-storage-link'
  | 'grant-role'
  | 'revoke-role'

export interface PlanChange {
  kind: PlanChangeKind
  /** `kind:name`, as in gc results: `function:resize`, `queue:resize-dead-letter`, `schedule:resize`. */
  resource: string
  /** For people: what differs (`memory 128 → 512 MB`), never a secret or an environment value. */
  detail: string
}

/** What `cloud.plan(definition)` returns; `changes` is empty when a deploy would change nothing. */
export interface DeployPlan {
  name: string
  provider: string
  changes: PlanChange[]
  warnings: Warning[]
}

/** What a provider's `doPlan` answers (the core adds the name and provider). */
export interface PlanResponse {
  changes: PlanChange[]
  warnings: Warning[]
}

/** The part of a deploy request a configuration change is described from. */
export interface PlannedConfig {
  memoryMb: number
  timeoutSec: number
  env: Readonly<Record<string, string>>
  trigger: Trigger | undefined
  /** The scale asked for (see src/scale.ts). */
  scale?: Readonly<ScaleSettings> | undefined
}

/** Same trigger settings, whatever the order of their keys (a trigger read back from the cloud is rebuilt). */
export function sameTrigger(a: Trigger | undefined, b: Trigger | undefined): boolean {
  const canonical = (trigger: Trigger | undefined) =>
    trigger === undefined ? '' : JSON.stringify(Object.entries(trigger).sort(([x], [y]) => (x < y ? -1 : 1)))
  return canonical(a) === canonical(b)
}

/**
 * The `update-config` change when the config hash differs, with what the
 * record shows to differ. Environment values are not in records (nor should
 * they be printed), so a change of values alone reads as such.
 */
export function configChange(
  name: string,
  deployed: Pick<FunctionRecord, 'memoryMb' | 'timeoutSec' | 'envKeys' | 'trigger' | 'maxInstances' | 'minInstances'>,
  wanted: PlannedConfig,
): PlanChange {
  const parts: string[] = []
  if (deployed.memoryMb !== wanted.memoryMb) parts.push(`memory ${deployed.memoryMb} → ${wanted.memoryMb} MB`)
  if (deployed.timeoutSec !== wanted.timeoutSec) parts.push(`timeout ${deployed.timeoutSec} → ${wanted.timeoutSec} s`)
  const keys = Object.keys(wanted.env).sort()
  const added = keys.filter((key) => !deployed.envKeys.includes(key))
  const removed = deployed.envKeys.filter((key) => !keys.includes(key))
  if (added.length > 0) parts.push(`env +${added.join(' +')}`)
  if (removed.length > 0) parts.push(`env -${removed.join(' -')}`)
  if (!sameTrigger(deployed.trigger, wanted.trigger))
    parts.push(`trigger ${deployed.trigger?.kind ?? 'none'} → ${wanted.trigger?.kind ?? 'none'}`)
  const { scale } = wanted
  // Where the record reports the deployed scale (the local fake's), say what changes; a cloud's may not report it.
  if (scale && (deployed.maxInstances !== undefined || deployed.minInstances !== undefined)) {
    const before = { maxInstances: deployed.maxInstances, minInstances: deployed.minInstances }
    for (const field of scaleChanges(before, scale)) parts.push(`${field} ${before[field] ?? '–'} → ${scale[field] ?? '–'}`)
  }
  const scaled = scale !== undefined && (scale.maxInstances !== undefined || (scale.minInstances ?? 0) > 0)
  if (parts.length === 0)
    parts.push(scaled ? 'environment values, provider options or scale' : 'environment values or provider options')
  return { kind: 'update-config', resource: `function:${name}`, detail: parts.join(', ') }
}

/** The `create-function` change, with the settings the function is created with. */
export function createFunctionChange(name: string, wanted: PlannedConfig): PlanChange {
  const env = Object.keys(wanted.env).sort()
  const detail = `${wanted.memoryMb} MB, ${wanted.timeoutSec} s${env.length > 0 ? `, env ${env.join(' ')}` : ''}`
  return { kind: 'create-function', resource: `function:${name}`, detail }
}

export function describeSchedule(trigger: Extract<Trigger, { kind: 'schedule' }>): string {
  return `${trigger.expression}${trigger.timezone === 'UTC' ? '' : ` (${trigger.timezone})`}`
}

/**
 * What a provider read for a plan of topic triggers (the shared topic outlives
 * any one subscriber, so the trigger alone does not say whether it is made or
 * deleted). Both are false when neither trigger is a topic.
 */
export interface TopicFacts {
  /** The new trigger's topic exists already: the deploy uses it instead of making it. */
  topicExists: boolean
  /** Leaving the old trigger's topic deletes it: no other subscriber remains, and cloudfn made it. */
  leftTopicDeleted: boolean
}

/** What a provider read for a plan of storage triggers; both false when neither trigger is a storage one. */
export interface StorageFacts {
  /** The new trigger's bucket exists already: the deploy uses it instead of making it. */
  bucketExists: boolean
  /** Leaving the old trigger's bucket deletes it: no other subscriber, cloudfn made it, and it is empty. */
  leftBucketDeleted: boolean
}

type StorageTrigger = Extract<Trigger, { kind: 'storage' }>

const describeStorage = (trigger: StorageTrigger) =>
  [
    trigger.events.join('+'),
    ...(trigger.prefix === undefined ? [] : [`prefix ${trigger.prefix}`]),
    ...(trigger.suffix === undefined ? [] : [`suffix ${trigger.suffix}`]),
  ].join(', ')

/** The bucket, and which of its changes start the function (for a provider that passes `facts`). */
function storageChanges(
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
  facts: StorageFacts | undefined,
): PlanChange[] {
  if (!facts) return []
  const changes: PlanChange[] = []
  const old = before?.kind === 'storage' ? before : undefined
  const now = after?.kind === 'storage' ? after : undefined
  const moved = old?.bucket !== now?.bucket
  if (now && moved && !facts.bucketExists)
    changes.push({ kind: 'create-bucket', resource: `bucket:${now.bucket}`, detail: 'made by its first subscriber' })
  if (now && (moved || !old))
    changes.push({
      kind: 'update-storage-link',
      resource: `bucket:${now.bucket}`,
      detail: `starts ${name} on ${describeStorage(now)}`,
    })
  else if (now && old && describeStorage(old) !== describeStorage(now))
    changes.push({
      kind: 'update-storage-link',
      resource: `bucket:${now.bucket}`,
      detail: `${describeStorage(old)} → ${describeStorage(now)}`,
    })
  if (old && moved) {
    changes.push({ kind: 'update-storage-link', resource: `bucket:${old.bucket}`, detail: `no longer starts ${name}` })
    if (facts.leftBucketDeleted)
      changes.push({
        kind: 'delete-bucket',
        resource: `bucket:${old.bucket}`,
        detail: 'its last subscriber leaves, and it is empty',
      })
  }
  return changes
}

/**
 * The trigger resources a deploy makes, changes or removes when the
 * function's trigger goes from `before` (what is deployed) to `after`, in
 * cloudfn's terms: the function URL, the schedule, the queue and its
 * dead-letter queue, the link between queue and function, and (for a provider
 * that passes `topics`, what it read) the shared topic, the subscriber's link
 * to it and its own dead-letter queue, and (with `storage`) the bucket and
 * which of its changes start the function. Each provider adds what only its cloud
 * has (roles, bindings) and drops what it does not make.
 */
export function triggerChanges(
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
  topics?: TopicFacts,
  storage?: StorageFacts,
): PlanChange[] {
  const changes: PlanChange[] = []
  const url = `url:${name}`
  if (after?.kind === 'http' && before?.kind !== 'http')
    changes.push({ kind: 'create-url', resource: url, detail: `auth ${after.auth}` })
  if (after?.kind === 'http' && before?.kind === 'http' && after.auth !== before.auth)
    changes.push({ kind: 'update-url', resource: url, detail: `auth ${before.auth} → ${after.auth}` })
  if (before?.kind === 'http' && after?.kind !== 'http')
    changes.push({ kind: 'delete-url', resource: url, detail: 'no HTTP trigger any more' })

  const schedule = `schedule:${name}`
  if (after?.kind === 'schedule' && before?.kind !== 'schedule')
    changes.push({ kind: 'create-schedule', resource: schedule, detail: describeSchedule(after) })
  if (
    after?.kind === 'schedule' &&
    before?.kind === 'schedule' &&
    (after.cron !== before.cron || after.timezone !== before.timezone)
  )
    changes.push({
      kind: 'update-schedule',
      resource: schedule,
      detail: `${describeSchedule(before)} → ${describeSchedule(after)}`,
    })
  if (before?.kind === 'schedule' && after?.kind !== 'schedule')
    changes.push({ kind: 'delete-schedule', resource: schedule, detail: describeSchedule(before) })

  const old = before?.kind === 'queue' ? queueNames(before, name) : undefined
  const now = after?.kind === 'queue' ? queueNames(after, name) : undefined
  const oldTopic = topics && before?.kind === 'topic' ? topicNames(before, name) : undefined
  const newTopic = topics && after?.kind === 'topic' ? topicNames(after, name) : undefined
  // A subscriber's dead-letter queue is its own, as a queue's is: a queue → topic switch keeps `<name>-dead-letter`.
  const oldNames = old ? [old.queue, old.deadLetter] : oldTopic ? [oldTopic.deadLetter] : []
  const newNames = now ? [now.queue, now.deadLetter] : newTopic ? [newTopic.deadLetter] : []
  const deadLetters = [now?.deadLetter, newTopic?.deadLetter]
  const movedTopic = oldTopic?.topic !== newTopic?.topic
  if (newTopic && movedTopic && !topics?.topicExists)
    changes.push({
      kind: 'create-topic',
      resource: `topic:${newTopic.topic}`,
      detail: 'shared topic, made by its first subscriber',
    })
  for (const queue of newNames) {
    if (!oldNames.includes(queue))
      changes.push({
        kind: 'create-queue',
        resource: `queue:${queue}`,
        detail: deadLetters.includes(queue) ? 'dead-letter queue' : 'queue',
      })
  }
  if (after?.kind === 'topic' && newTopic) {
    const link = { kind: 'update-topic-link', resource: `topic:${newTopic.topic}` } as const
    const retries = (trigger: Extract<Trigger, { kind: 'topic' }>) => trigger.maxRetries ?? 'default'
    if (before?.kind !== 'topic' || movedTopic)
      changes.push({ ...link, detail: `delivers to ${name}, ${retries(after)} retries, dead letters to ${newTopic.deadLetter}` })
    else if (before.maxRetries !== after.maxRetries || oldTopic?.deadLetter !== newTopic.deadLetter)
      changes.push({
        ...link,
        detail: `retries ${retries(before)} → ${retries(after)}, dead letters to ${oldTopic?.deadLetter} → ${newTopic.deadLetter}`,
      })
  }
  if (oldTopic && movedTopic)
    changes.push({ kind: 'update-topic-link', resource: `topic:${oldTopic.topic}`, detail: `no longer delivers to ${name}` })
  if (after?.kind === 'queue') {
    const link = { kind: 'update-queue-link', resource: `queue:${now?.queue}` } as const
    if (before?.kind !== 'queue' || old?.queue !== now?.queue)
      changes.push({ ...link, detail: `delivers to ${name}, batch ${after.batchSize}, ${after.maxRetries} retries` })
    else if (
      before.batchSize !== after.batchSize ||
      before.maxRetries !== after.maxRetries ||
      old?.deadLetter !== now?.deadLetter
    )
      changes.push({
        ...link,
        detail: `batch ${before.batchSize} → ${after.batchSize}, retries ${before.maxRetries} → ${after.maxRetries}`,
      })
  }
  for (const queue of oldNames) {
    if (!newNames.includes(queue))
      changes.push({ kind: 'delete-queue', resource: `queue:${queue}`, detail: 'no longer read by the function' })
  }
  if (oldTopic && movedTopic && topics?.leftTopicDeleted)
    changes.push({ kind: 'delete-topic', resource: `topic:${oldTopic.topic}`, detail: 'its last subscriber leaves' })
  changes.push(...storageChanges(name, before, after, storage))
  return changes
}

/** One line per change, as `cloudfn deploy --dry-run` prints them. */
export function formatPlan(plan: DeployPlan): string[] {
  if (plan.changes.length === 0) return [`no changes to ${plan.name} on ${plan.provider}`]
  return plan.changes.map((change) => `${change.kind} ${change.resource}: ${change.detail}`)
}
