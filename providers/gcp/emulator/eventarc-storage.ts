/**
 * Eventarc triggers on Cloud Storage ("direct" events,
 * https://cloud.google.com/eventarc/docs/run/create-trigger-storage-gcloud):
 * event types `google.cloud.storage.object.v1.finalized` and `.deleted`, one
 * event filter `bucket` (Eventarc has no object-name filter for these: path
 * patterns exist for Cloud Audit Logs events only,
 * https://cloud.google.com/eventarc/docs/path-patterns), and a trigger
 * location that must be the bucket's.
 *
 * Underneath, Eventarc makes a Pub/Sub topic, a Cloud Storage notification
 * on the bucket that publishes to it (as the project's Cloud Storage service
 * agent, which needs roles/pubsub.publisher: the page above, "Before you
 * begin"; the emulator's projects have that grant) and a push subscription.
 * Each push is a binary-mode CloudEvent (https://cloud.google.com/eventarc/docs/cloudevents,
 * "Cloud Storage"): ce-source `//storage.googleapis.com/projects/_/buckets/B`,
 * ce-subject `objects/NAME`, the object resource as JSON body.
 */
import type { GcsEventType, GcsModel } from './gcs.ts'
import type { PubsubMessage, PubsubModel } from './pubsub.ts'
import type { EventTrigger } from './state.ts'

const NOTIFICATION_TYPES: Record<string, GcsEventType> = {
  'google.cloud.storage.object.v1.finalized': 'OBJECT_FINALIZE',
  'google.cloud.storage.object.v1.deleted': 'OBJECT_DELETE',
}
export const STORAGE_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(NOTIFICATION_TYPES))

const bucketOf = (trigger: EventTrigger) => trigger.eventFilters?.find((filter) => filter.attribute === 'bucket')?.value

/** Why Cloud Functions (Eventarc) would refuse this Cloud Storage trigger, or undefined. */
export function invalidStorageTrigger(trigger: EventTrigger, gcs: GcsModel): string | undefined {
  const filters = trigger.eventFilters ?? []
  const other = filters.find((filter) => filter.attribute !== 'bucket')
  if (other) return `The event filter attribute ${JSON.stringify(other.attribute)} is not supported for ${trigger.eventType}`
  if (filters.some((filter) => filter.operator)) return 'Path pattern filters are supported for Cloud Audit Logs events only'
  const bucket = bucketOf(trigger)
  if (!bucket) return `The event type ${trigger.eventType} needs the event filter "bucket"`
  const found = gcs.buckets.get(bucket)
  if (!found) return `Bucket ${bucket} does not exist`
  const location = found.resource.location.toLowerCase()
  if (trigger.triggerRegion && trigger.triggerRegion !== location) {
    return `The trigger location ${trigger.triggerRegion} does not match the location ${location} of bucket ${bucket}`
  }
  return undefined
}

/** The CloudEvent Eventarc makes of a Cloud Storage notification (JSON_API_V1: the object resource as data). */
function storageCloudEvent(eventType: string) {
  return (message: PubsubMessage) => {
    const { bucketId = '', objectId = '', eventTime } = message.attributes
    return {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'ce-id': message.messageId,
        'ce-source': `//storage.googleapis.com/projects/_/buckets/${bucketId}`,
        'ce-specversion': '1.0',
        'ce-type': eventType,
        'ce-subject': `objects/${objectId}`,
        'ce-time': eventTime ?? message.publishTime,
      },
      body: Buffer.from(message.data, 'base64').toString('utf8'),
    }
  }
}

/** For attachEventTrigger: the storage half of an Eventarc trigger, or undefined for any other event type. */
export function eventarcStorage(trigger: EventTrigger, gcs: GcsModel) {
  const type = NOTIFICATION_TYPES[trigger.eventType ?? '']
  const bucket = bucketOf(trigger)
  if (!type || !bucket) return undefined
  return {
    /** Whether the subscription's topic already carries this bucket's events of this type. */
    attached: (topic: string | undefined) =>
      gcs.notifications.some((config) => config.topic === topic && config.bucket === bucket && config.eventTypes.includes(type)),
    createTopic(pubsub: PubsubModel, topic: string): string {
      pubsub.topics.set(topic, { name: topic, labels: { 'goog-eventarc': '' } })
      gcs.notifications.push({ bucket, topic, eventTypes: [type] })
      return topic
    },
    cloudEvent: storageCloudEvent(trigger.eventType as string),
  }
}
