/**
 * What the emulated S3 keeps (buckets, their objects, tags and notification
 * configuration) and the rules it applies, each from S3's own documentation:
 *
 * - bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * - notification event types and key filters:
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
 *   and notification-how-to-filtering.html (configurations that share an event
 *   type must not have overlapping prefix/suffix filters: S3 refuses them with
 *   InvalidArgument "Configurations overlap. Configurations on the same bucket
 *   cannot share a common event type.")
 * - the event a function gets: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 *   (version 2.1, the object key URL-encoded, a space as `+`; ObjectRemoved
 *   records carry no size or eTag).
 */
import { randomBytes } from 'node:crypto'

export interface StoredObject {
  bytes: Uint8Array
  /** Hex MD5 of a single-part upload, unquoted (the header quotes it). */
  etag: string
  lastModified: string
}

/** Which destination a notification configuration has (the XML element names S3 and the SDK use). */
export type NotificationKind = 'CloudFunctionConfiguration' | 'QueueConfiguration' | 'TopicConfiguration'

/** One entry of a bucket's notification configuration. Only Lambda destinations are delivered to. */
export interface NotificationEntry {
  kind: NotificationKind
  id: string
  /** The function's, queue's or topic's ARN. */
  arn: string
  events: string[]
  prefix: string | undefined
  suffix: string | undefined
}

export interface EmulatedBucket {
  name: string
  /**
   * Another account that owns a bucket of this name (names are global): this
   * account gets 403 AccessDenied for it and 409 BucketAlreadyExists creating it.
   * Tests put such a bucket in the state.
   */
  owner?: string | undefined
  creationDate: string
  objects: Map<string, StoredObject>
  /** PutBucketTagging replaces the whole set; undefined when it has none (GetBucketTagging: NoSuchTagSet). */
  tags: Array<{ Key: string; Value: string }> | undefined
  notifications: NotificationEntry[]
  /**
   * The configuration's `EventBridgeConfiguration` (an empty element: S3 sends
   * every event of the bucket to EventBridge;
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_NotificationConfiguration.html,
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html). Kept
   * and given back; nothing is delivered to EventBridge.
   */
  eventBridge: boolean
  /** Increases with every change of an object, for the records' `sequencer`. */
  sequence: number
}

/** An empty bucket; `owner` for another account's (see EmulatedBucket.owner). */
export function newBucket(name: string, owner?: string): EmulatedBucket {
  return {
    name,
    owner,
    creationDate: new Date().toISOString(),
    objects: new Map(),
    tags: undefined,
    notifications: [],
    eventBridge: false,
    sequence: 0,
  }
}

/** The element naming each kind's destination ARN, as the SDK's schema names it (LambdaFunctionArn is `CloudFunction`). */
export const DESTINATION_ELEMENT: Record<NotificationKind, string> = {
  CloudFunctionConfiguration: 'CloudFunction',
  QueueConfiguration: 'Queue',
  TopicConfiguration: 'Topic',
}

/** The event types a notification may name (the event-types page; the Smithy model's `Event` enum). */
export const S3_EVENT_TYPES = new Set([
  's3:ReducedRedundancyLostObject',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:Replication:*',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:LifecycleExpiration:*',
  's3:ObjectTagging:*',
  's3:ObjectAcl:Put',
])

/** Names S3 refuses: the general purpose bucket rules (length, characters, no IP form, reserved prefixes and suffixes). */
export function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)
  )
}

/** Whether a change named `eventName` (e.g. `s3:ObjectCreated:Put`) is one `configured` covers (`s3:ObjectCreated:*`). */
export function eventCovers(configured: string, eventName: string): boolean {
  return configured === eventName || (configured.endsWith(':*') && eventName.startsWith(configured.slice(0, -1)))
}

/** Two configured event types share some change. */
const eventsShare = (a: string, b: string) => eventCovers(a, b) || eventCovers(b, a)

/** Two prefixes (or two suffixes, reversed) some key satisfies both: one extends the other, or either is absent. */
const affixesMeet = (a: string | undefined, b: string | undefined, suffix: boolean) =>
  a === undefined || b === undefined || (suffix ? a.endsWith(b) || b.endsWith(a) : a.startsWith(b) || b.startsWith(a))

/** Whether two entries could both match one change: a shared event type and filters some key passes both of. */
export function overlap(a: NotificationEntry, b: NotificationEntry): boolean {
  return (
    a.events.some((x) => b.events.some((y) => eventsShare(x, y))) &&
    affixesMeet(a.prefix, b.prefix, false) &&
    affixesMeet(a.suffix, b.suffix, true)
  )
}

/** The entries a change of `key` named `eventName` goes to. */
export function matching(bucket: EmulatedBucket, eventName: string, key: string): NotificationEntry[] {
  return bucket.notifications.filter(
    (entry) =>
      entry.events.some((configured) => eventCovers(configured, eventName)) &&
      (entry.prefix === undefined || key.startsWith(entry.prefix)) &&
      (entry.suffix === undefined || key.endsWith(entry.suffix)),
  )
}

/**
 * The key as an S3 event record writes it: URL-encoded as a form value
 * ("red flower.jpg" becomes "red+flower.jpg"), the `/` between key parts kept.
 */
export function eventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/')
}

export interface S3Change {
  bucket: EmulatedBucket
  key: string
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete` (the record's eventName has no `s3:`). */
  eventName: string
  /** Undefined for a removal: its record has neither size nor eTag. */
  object: StoredObject | undefined
  requestId: string
  time: string
}

/** The event S3 hands a function for one change, one record (notification-content-structure.html, version 2.1). */
export function s3Event(region: string, accountId: string, change: S3Change, configurationId: string): string {
  const { bucket, object } = change
  const principal = `AWS:AIDA${accountId}`
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: change.time,
        eventName: change.eventName,
        userIdentity: { principalId: principal },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': change.requestId, 'x-amz-id-2': randomBytes(24).toString('base64') },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: { name: bucket.name, ownerIdentity: { principalId: principal }, arn: `arn:aws:s3:::${bucket.name}` },
          object: {
            key: eventKey(change.key),
            ...(object ? { size: object.bytes.byteLength, eTag: object.etag } : {}),
            sequencer: bucket.sequence.toString(16).toUpperCase().padStart(18, '0'),
          },
        },
      },
    ],
  })
}
