/**
 * S3's event for a function (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html)
 * as cloudfn's neutral StorageEvent. Bundled into deployed artifacts with the
 * shim: no dependencies beyond the runtime's own modules.
 */
import type { StorageEvent } from '../../../src/triggers/types.ts'

/** The parts of an S3 event record the conversion reads. */
export interface S3Record {
  eventSource: 'aws:s3'
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  eventName: string
  eventTime: string
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } }
}

export interface S3Event {
  Records: S3Record[]
}

export function isS3Event(event: unknown): event is S3Event {
  const records = (event as { Records?: unknown } | null)?.Records
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((record: { eventSource?: unknown; s3?: unknown } | null) => record?.eventSource === 'aws:s3' && !!record.s3)
  )
}

/**
 * The record's key is URL-encoded as a form value ("red flower.jpg" arrives
 * as "red+flower.jpg"); an ObjectRemoved record has neither size nor eTag,
 * which the neutral event reports as 0 and '' (as on every backend).
 */
export function storageEventOfS3(record: S3Record): StorageEvent {
  const deleted = record.eventName.startsWith('ObjectRemoved')
  const { object } = record.s3
  return {
    bucket: record.s3.bucket.name,
    key: decodeURIComponent(object.key.replace(/\+/g, ' ')),
    size: deleted ? 0 : (object.size ?? 0),
    etag: deleted ? '' : (object.eTag ?? '').replace(/"/g, ''),
    eventTime: new Date(record.eventTime).toISOString(),
    type: deleted ? 'deleted' : 'created',
  }
}
