import { randomUUID } from 'node:crypto'
import { shortName } from '../names.ts'
import { eventarcStorage, invalidStorageTrigger, STORAGE_EVENT_TYPES } from './eventarc-storage.ts'
import type { GcsModel } from './gcs.ts'
import type { PubsubModel } from './pubsub.ts'
import type { EmulatedFunction, EventTrigger } from './state.ts'

const PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished'
/** google.cloud.functions.v2.EventTrigger.RetryPolicy.RETRY_POLICY_RETRY. */
const RETRY = 2

/** Why Cloud Functions would refuse this event trigger, or undefined. */
export function invalidEventTrigger(trigger: EventTrigger | undefined, pubsub: PubsubModel, gcs: GcsModel): string | undefined {
  if (!trigger) return undefined
  if (STORAGE_EVENT_TYPES.has(trigger.eventType ?? '')) return invalidStorageTrigger(trigger, gcs)
  if (trigger.eventType !== PUBLISHED) return `Unsupported event type: ${JSON.stringify(trigger.eventType ?? '')}`
  if (!trigger.pubsubTopic || !pubsub.topics.has(trigger.pubsubTopic))
    return `Topic ${JSON.stringify(trigger.pubsubTopic ?? '')} does not exist`
  return undefined
}

/**
 * What Cloud Functions does for a function with an event trigger: an
 * Eventarc trigger whose push subscription posts to the function's URL with
 * an OIDC token of the trigger's service account. For Pub/Sub the
 * subscription is on the topic; for Cloud Storage Eventarc makes a topic of
 * its own that the bucket's notification publishes to (eventarc-storage.ts).
 * A changed source gets a new subscription; Cloud Functions owns it and
 * deletes it with the function.
 */
export function attachEventTrigger(fn: EmulatedFunction, pubsub: PubsubModel, gcs: GcsModel): void {
  const trigger = fn.resource.eventTrigger
  const current = fn.eventSubscription ? pubsub.subscriptions.get(fn.eventSubscription) : undefined
  const storage = trigger ? eventarcStorage(trigger, gcs) : undefined
  if (!trigger || (!trigger.pubsubTopic && !storage)) {
    detachEventTrigger(fn, pubsub, gcs)
    return
  }
  const [, project, , region] = fn.resource.name.split('/') as [string, string, string, string]
  const id = shortName(fn.resource.name)
  trigger.serviceAccountEmail ??= fn.resource.serviceConfig.serviceAccountEmail
  trigger.retryPolicy ??= RETRY
  trigger.triggerRegion ??= region
  trigger.trigger ??= `projects/${project}/locations/${region}/triggers/${id}-${randomUUID().slice(0, 6)}`
  if (storage ? storage.attached(current?.resource.topic) : current?.resource.topic === trigger.pubsubTopic) return
  detachEventTrigger(fn, pubsub, gcs)
  const digits = () => String(Math.floor(Math.random() * 1000)).padStart(3, '0')
  const name = `projects/${project}/subscriptions/eventarc-${region}-${id}-${digits()}-sub-${digits()}`
  const topic = storage
    ? storage.createTopic(pubsub, `projects/${project}/topics/eventarc-${region}-${id}-${digits()}`)
    : undefined
  const uri = fn.resource.serviceConfig.uri
  pubsub.subscriptions.set(name, {
    resource: {
      name,
      topic: topic ?? (trigger.pubsubTopic as string),
      labels: { 'goog-eventarc': '' },
      pushConfig: { pushEndpoint: uri, oidcToken: { serviceAccountEmail: trigger.serviceAccountEmail, audience: uri } },
      ackDeadlineSeconds: 600,
      messageRetentionDuration: '86400s',
      retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
    },
    backlog: [],
    cloudEvent: storage?.cloudEvent,
  })
  fn.eventSubscription = name
}

export function detachEventTrigger(fn: EmulatedFunction, pubsub: PubsubModel, gcs: GcsModel): void {
  const subscription = fn.eventSubscription ? pubsub.subscriptions.get(fn.eventSubscription) : undefined
  if (fn.eventSubscription) pubsub.removeSubscription(fn.eventSubscription)
  // A Cloud Storage trigger's own topic and the bucket's notification go with it.
  const topic = subscription?.resource.topic
  if (topic && gcs.notifications.some((config) => config.topic === topic)) {
    gcs.notifications.splice(0, gcs.notifications.length, ...gcs.notifications.filter((config) => config.topic !== topic))
    pubsub.topics.delete(topic)
  }
  fn.eventSubscription = undefined
}

/** Decoded bodies in the dead-letter topic of the function's subscription (kept by pull subscriptions on it). */
export function deadLettersOf(fn: EmulatedFunction | undefined, pubsub: PubsubModel): string[] {
  const subscription = fn?.eventSubscription ? pubsub.subscriptions.get(fn.eventSubscription) : undefined
  const topic = subscription?.resource.deadLetterPolicy?.deadLetterTopic
  return topic ? pubsub.kept(topic) : []
}
