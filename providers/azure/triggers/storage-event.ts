/**
 * Blob Storage's Event Grid events (delivered through the storage account's
 * system topic) as cloudfn's neutral StorageEvent. Runs in the function:
 * bundled with the shim, so dependency-free.
 *
 * The event (https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage):
 * eventType `Microsoft.Storage.BlobCreated` / `Microsoft.Storage.BlobDeleted`,
 * subject `/blobServices/default/containers/<container>/blobs/<blob name>`,
 * eventTime, and data with `eTag` (the blob's ETag, quoted: `"0x8D4BCC2E4835CD0"`)
 * and `contentLength` on a creation.
 */
import type { StorageEvent } from '../../../src/triggers/types.ts'

/** What the Node model's `app.eventGrid` hands the handler: the event's fields read here. */
export interface BlobEventLike {
  eventType?: string
  subject?: string
  eventTime?: string
  /** Blob Storage's event data; a creation's has `eTag` and `contentLength`. */
  data?: Record<string, unknown> | null
}

export const BLOB_EVENT_TYPES = {
  created: 'Microsoft.Storage.BlobCreated',
  deleted: 'Microsoft.Storage.BlobDeleted',
} as const

const SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/

/**
 * The neutral event, or undefined for an event that is no blob creation or
 * deletion (the event subscription delivers only those; anything else is
 * acknowledged without running the handler). The neutral `etag` is the
 * blob's ETag as the Blob service reports it, unquoted: opaque, comparable
 * only with what Blob Storage reports for the blob (not an MD5, unlike S3's
 * and Cloud Storage's). A deletion has size 0 and etag ''.
 */
export function storageEventOfBlob(event: BlobEventLike): StorageEvent | undefined {
  const type =
    event.eventType === BLOB_EVENT_TYPES.created
      ? 'created'
      : event.eventType === BLOB_EVENT_TYPES.deleted
        ? 'deleted'
        : undefined
  const subject = SUBJECT.exec(event.subject ?? '')
  if (!type || !subject) return undefined
  const time = Date.parse(event.eventTime ?? '')
  const created = type === 'created'
  return {
    bucket: subject[1] ?? '',
    key: subject[2] ?? '',
    size: created ? Number(event.data?.contentLength ?? 0) : 0,
    etag: created ? String(event.data?.eTag ?? '').replace(/"/g, '') : '',
    eventTime: new Date(Number.isNaN(time) ? Date.now() : time).toISOString(),
    type,
  }
}
