/**
 * Runs in the function (bundled with the shim: keep it dependency-free).
 * A Cloud Storage CloudEvent from Eventarc, turned into the neutral
 * StorageEvent, or undefined when the trigger does not want it.
 *
 * Eventarc filters Cloud Storage events by bucket only (path patterns are for
 * Cloud Audit Logs events: https://cloud.google.com/eventarc/docs/path-patterns),
 * so storage()'s prefix and suffix are applied here: an object outside them
 * is acknowledged (2xx) without running the handler, so Pub/Sub does not
 * redeliver it. It is still a delivery, and an instance start, on GCP.
 */
import type { StorageEvent, StorageEventType, StorageTrigger } from '../../../src/triggers/types.ts'

/** The deployed storage() trigger as the shim has it. */
export type StorageFilter = Partial<Pick<StorageTrigger, 'bucket' | 'events' | 'prefix' | 'suffix'>>

/** What the Functions Framework hands a `cloudevent` function (or the shim reads off the headers). */
export interface StorageCloudEventLike {
  type?: string | undefined
  subject?: string | undefined
  time?: string | undefined
  data?: unknown
}

/** The object resource (JSON API) Eventarc sends as the event's data; the fields read here. */
interface ObjectData {
  bucket?: string
  name?: string
  size?: string | number
  md5Hash?: string
  etag?: string
  updated?: string
}

const TYPES: Record<string, StorageEventType> = {
  'google.cloud.storage.object.v1.finalized': 'created',
  'google.cloud.storage.object.v1.deleted': 'deleted',
}

export const STORAGE_EVENT_TYPES: Record<StorageEventType, string> = {
  created: 'google.cloud.storage.object.v1.finalized',
  deleted: 'google.cloud.storage.object.v1.deleted',
}

function objectOf(data: unknown): ObjectData {
  if (typeof data === 'string') return JSON.parse(data) as ObjectData
  if (data instanceof Uint8Array) return JSON.parse(Buffer.from(data).toString('utf8')) as ObjectData
  return (data ?? {}) as ObjectData
}

/**
 * The neutral etag is the MD5 of the bytes in hex, as S3 and Blob Storage
 * give it for a single-part object: GCS's `md5Hash` is that digest in
 * base64, so it is decoded and re-encoded. GCS's own `etag` is an opaque
 * generation marker, not used. A composite object has no md5Hash (only
 * crc32c): its neutral etag is then GCS's etag (as S3's multipart etag is not an MD5 either).
 */
export function neutralEtag(object: { md5Hash?: string | undefined; etag?: string | undefined }): string {
  return object.md5Hash ? Buffer.from(object.md5Hash, 'base64').toString('hex') : (object.etag ?? '')
}

export function storageEventOf(trigger: StorageFilter, event: StorageCloudEventLike): StorageEvent | undefined {
  const type = TYPES[event.type ?? '']
  if (!type || !(trigger.events ?? ['created']).includes(type)) return undefined
  const object = objectOf(event.data)
  const key = object.name ?? (event.subject ?? '').replace(/^objects\//, '')
  if (trigger.prefix !== undefined && !key.startsWith(trigger.prefix)) return undefined
  if (trigger.suffix !== undefined && !key.endsWith(trigger.suffix)) return undefined
  const time = Date.parse(event.time ?? object.updated ?? '')
  return {
    bucket: object.bucket ?? trigger.bucket ?? '',
    key,
    // A deletion carries the gone object's resource; the neutral event has no size or etag for it.
    size: type === 'deleted' ? 0 : Number(object.size ?? 0),
    etag: type === 'deleted' ? '' : neutralEtag(object),
    eventTime: new Date(Number.isNaN(time) ? Date.now() : time).toISOString(),
    type,
  }
}
