/**
 * A topic trigger on Pub/Sub: the shared topic `<name>` (made by the first
 * subscriber's deploy unless it exists), and per subscriber what a queue
 * trigger has too: Eventarc's push subscription for the function (one per
 * function, so every subscriber gets every message:
 * https://cloud.google.com/eventarc/docs/creating-triggers#pubsub, "Eventarc
 * creates a Pub/Sub subscription for each trigger"), with a dead-letter
 * policy to the subscriber's own topic `<function>-dead-letter` and a pull
 * subscription that keeps what lands there.
 *
 * Ownership, by label: the shared topic carries `cloudfn-managed` and
 * `cloudfn-shared-topic`, but no function label, because it belongs to no
 * single function (gc, which collects what a gone function left, never takes
 * it); the dead-letter topic and its keeper carry the subscriber's name, as a
 * queue's do. The last subscriber out deletes the shared topic if cloudfn
 * made it; a topic cloudfn did not make is used and never deleted.
 */
import { ConflictError } from '../../../src/errors/conflict.ts'
import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { GcCandidate } from '../../../src/gc.ts'
import type { FunctionRecord, PublishRequest } from '../../../src/provider.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import { topicNames, topicRetries } from '../../../src/triggers/topic.ts'
import type { TopicTrigger, Trigger } from '../../../src/triggers/types.ts'
import { GCP_CAPABILITIES } from '../capabilities.ts'
import { type ControlPlane, listManaged } from '../control-plane.ts'
import { MANAGED_LABEL } from '../labels.ts'
import { toRecord } from '../record.ts'
import { checkPubsubIds, FUNCTION_LABEL, PubSub, type Topic, topicName } from './pubsub.ts'

const API = 'https://pubsub.googleapis.com/v1'
export const SHARED_TOPIC_LABEL = 'cloudfn-shared-topic'

/** The Pub/Sub topic a queue or topic trigger reads and the one its failures go to; undefined for other kinds. */
export function pubsubNames(trigger: Trigger | undefined, name: string): { topic: string; deadLetter: string } | undefined {
  if (trigger?.kind === 'queue') {
    const names = queueNames(trigger, name)
    return { topic: names.queue, deadLetter: names.deadLetter }
  }
  return trigger?.kind === 'topic' ? topicNames(trigger, name) : undefined
}

/** Delivery attempts of a subscriber's copy before Pub/Sub dead-letters it. */
export function topicDeliveryAttempts(trigger: TopicTrigger): number {
  return topicRetries(trigger, GCP_CAPABILITIES.triggers.topic?.maxRetries ?? { default: 4 }) + 1
}

const topicMeta = (plane: ControlPlane, topic: string) => ({
  url: `${API}/${topicName(plane.location, topic)}`,
  resource: topic,
  kind: 'Topic',
})

const getTopic = (plane: ControlPlane, topic: string) =>
  plane.rest.call<Topic>({ method: 'GET', operation: 'get topic', absentOk: true, ...topicMeta(plane, topic) })

/**
 * Refuses a topic ID Pub/Sub refuses (checkPubsubIds, also run first by
 * assertQueueFree); then a topic that is some function's queue, which would
 * be shared silently, and deleted under the subscribers with it.
 */
export async function assertTopicUsable(plane: ControlPlane, name: string, trigger: Trigger | undefined): Promise<void> {
  checkPubsubIds(trigger)
  if (trigger?.kind !== 'topic') return
  const found = await getTopic(plane, trigger.name)
  const owner = found?.labels?.[MANAGED_LABEL] === 'true' ? found.labels[FUNCTION_LABEL] : undefined
  if (owner !== undefined) {
    throw new ConflictError({
      provider: 'gcp',
      isRetryable: false,
      message: `Topic '${trigger.name}' is the queue of function '${owner}'; give '${name}' another topic (topic({ name }))`,
    })
  }
}

/** What a subscriber needs before its Eventarc trigger can point at the topic: the topic, its own dead-letter topic and keeper. */
export async function ensureTopicResources(
  plane: ControlPlane,
  trigger: TopicTrigger,
  name: string,
  beforeChange: () => void,
): Promise<void> {
  const names = topicNames(trigger, name)
  if (!(await getTopic(plane, names.topic))) {
    beforeChange()
    try {
      const body = { labels: { [MANAGED_LABEL]: 'true', [SHARED_TOPIC_LABEL]: 'true' } }
      await plane.rest.call({ method: 'PUT', body, operation: 'create topic', ...topicMeta(plane, names.topic) })
    } catch (error) {
      // Another subscriber's deploy made it first: what we wanted.
      if ((error as { code?: string }).code !== 'Conflict') throw error
    }
  }
  const pubsub = new PubSub(plane.rest, plane.location)
  await pubsub.ensureTopic(names.deadLetter, name, beforeChange)
  await pubsub.ensureKeeper(names.deadLetter, name, beforeChange)
}

/**
 * After a subscriber leaves `previous` (removed, or moved to another topic or
 * trigger): its own dead-letter topic and keeper go unless still used, and the
 * shared topic goes if no other cloudfn function subscribes to it and cloudfn made it.
 */
export async function releaseTopic(
  plane: ControlPlane,
  previous: TopicTrigger,
  trigger: Trigger | undefined,
  name: string,
  beforeChange: () => void,
): Promise<void> {
  const old = topicNames(previous, name)
  const now = pubsubNames(trigger, name)
  const pubsub = new PubSub(plane.rest, plane.location)
  if (old.deadLetter !== now?.deadLetter) {
    beforeChange()
    await pubsub.deleteOwned('subscriptions', old.deadLetter, name)
    if (old.deadLetter !== now?.topic) await pubsub.deleteOwned('topics', old.deadLetter, name)
  }
  if (old.topic === now?.topic) return
  // Not atomic (Pub/Sub has no conditional delete): a second subscriber whose deploy ensured the topic but
  // whose function is not listed yet loses it here, and its Eventarc trigger fails until it is deployed again.
  // Deploys of one topic's subscribers should not run concurrently with the last one leaving.
  if (!(await leavingDeletesTopic(plane, old.topic, name))) return
  beforeChange()
  await plane.rest.call({ method: 'DELETE', operation: 'delete topic', absentOk: true, ...topicMeta(plane, old.topic) })
}

/**
 * Whether `name` leaving `topic` deletes it (reads only; the plan asks too):
 * no other cloudfn function subscribes to it, and cloudfn made it.
 */
export async function leavingDeletesTopic(plane: ControlPlane, topic: string, name: string): Promise<boolean> {
  const others = (await listManaged(plane))
    .map(toRecord)
    .filter((record) => record.name !== name && record.trigger?.kind === 'topic' && record.trigger.name === topic)
  if (others.length > 0) return false
  const found = await getTopic(plane, topic)
  return found?.labels?.[MANAGED_LABEL] === 'true' && found.labels[SHARED_TOPIC_LABEL] === 'true'
}

/** Whether the topic exists (the plan asks: a subscriber's deploy makes it only when it does not). */
export async function topicExists(plane: ControlPlane, topic: string): Promise<boolean> {
  return (await getTopic(plane, topic)) !== undefined
}

/** publish() on Pub/Sub: one message on the topic, which each subscriber's subscription delivers. */
export async function publishToTopic(
  plane: ControlPlane,
  request: PublishRequest,
  signal?: AbortSignal,
): Promise<{ messageId: string }> {
  try {
    return { messageId: await new PubSub(plane.rest, plane.location).publish(request.topic, request.message, signal) }
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
    throw new NotFoundError({
      provider: 'gcp',
      resource: request.topic,
      cause: error,
      message: `Topic '${request.topic}' does not exist on gcp; deploy a function with topic({ name: '${request.topic}' }) first`,
    })
  }
}

/**
 * For gc: shared topics cloudfn made that no cloudfn function subscribes to
 * any more (two last subscribers removed at once each saw the other, or a
 * remove crashed between its steps). Pub/Sub keeps no change time, so they go
 * only with `olderThanMs: 0`, like the queues' leftovers.
 */
export async function sharedTopicLeftovers(plane: ControlPlane, records: readonly FunctionRecord[]): Promise<GcCandidate[]> {
  const subscribed = new Set(records.flatMap((record) => (record.trigger?.kind === 'topic' ? [record.trigger.name] : [])))
  const candidates: GcCandidate[] = []
  let pageToken = ''
  do {
    const page = await plane.rest.call<{ topics?: Topic[]; nextPageToken?: string }>({
      method: 'GET',
      url: `${API}/projects/${plane.location.project}/topics?pageSize=1000${pageToken ? `&pageToken=${pageToken}` : ''}`,
      operation: 'list topics',
      resource: plane.location.project,
      kind: 'Project',
    })
    for (const found of page.topics ?? []) {
      if (found.labels?.[MANAGED_LABEL] !== 'true' || found.labels[SHARED_TOPIC_LABEL] !== 'true') continue
      const short = found.name.split('/').pop() ?? ''
      candidates.push({
        resource: `topic:${short}`,
        changedAt: undefined,
        unused: !subscribed.has(short),
        remove: () =>
          plane.rest.call({ method: 'DELETE', operation: 'delete topic', absentOk: true, ...topicMeta(plane, short) }),
      })
    }
    pageToken = page.nextPageToken ?? ''
  } while (pageToken)
  return candidates
}
