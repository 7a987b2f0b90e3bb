import { describeValue, expectKnownKeys, expectPlainObject, fail } from '../validation.ts'
import { branded, STORAGE_EVENTS, type StorageEventType, type StorageTrigger } from './types.ts'

export interface StorageOptions {
  /** The bucket (S3 bucket, Cloud Storage bucket, Blob container) whose objects start the function. */
  bucket: string
  /** Which changes: `created` (also an overwrite) and/or `deleted` (default `['created']`). */
  events?: readonly StorageEventType[]
  /** Only objects whose key starts with this. */
  prefix?: string
  /** Only objects whose key ends with this (e.g. `.jpg`). */
  suffix?: string
}

/**
 * Bucket names every cloud accepts: 3 to 63 lowercase letters, digits and
 * single hyphens, starting and ending with a letter or digit. That is the
 * intersection of S3's rules (no `sthree-` prefix, no `-s3alias` suffix; no
 * `xn--`, which the single-hyphen rule already excludes), Cloud Storage's
 * and Blob Storage's container names (no dots; no `--`).
 */
const BUCKET = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/

function checkBucket(value: unknown): string {
  if (typeof value !== 'string' || !BUCKET.test(value) || value.startsWith('sthree-') || value.endsWith('-s3alias')) {
    fail(
      'trigger.bucket',
      `must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit, the names every cloud accepts (got ${describeValue(value)})`,
    )
  }
  return value
}

function checkAffix(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined
  // S3 and Blob Storage keys are at most 1024 bytes of UTF-8, so no longer filter can match anything.
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > 1024) {
    fail(field, `must be a non-empty string of at most 1024 bytes (got ${describeValue(value)})`)
  }
  return value
}

/**
 * Runs the function once per object change in a bucket, at least once: the
 * handler gets one neutral `StorageEvent` (`{ bucket, key, size, etag,
 * eventTime, type }`). Maps to S3 event notifications, Eventarc's Cloud
 * Storage events and the Event Grid based blob trigger.
 */
export function storage(options: StorageOptions): StorageTrigger {
  const checked = expectPlainObject(options, 'trigger')
  expectKnownKeys(checked, ['bucket', 'events', 'prefix', 'suffix'], 'trigger')
  const bucket = checkBucket(checked.bucket)
  let events: StorageEventType[] = ['created']
  if (checked.events !== undefined) {
    if (!Array.isArray(checked.events) || checked.events.length === 0) {
      fail('trigger.events', `must be a non-empty array of ${STORAGE_EVENTS.map((event) => `'${event}'`).join(', ')}`)
    }
    for (const [index, event] of checked.events.entries()) {
      if (!STORAGE_EVENTS.includes(event as StorageEventType)) {
        fail(`trigger.events[${index}]`, `must be one of ${STORAGE_EVENTS.join(', ')} (got ${describeValue(event)})`)
      }
    }
    events = STORAGE_EVENTS.filter((event) => (checked.events as unknown[]).includes(event))
  }
  return branded({
    kind: 'storage' as const,
    bucket,
    events: Object.freeze(events),
    prefix: checkAffix(checked.prefix, 'trigger.prefix'),
    suffix: checkAffix(checked.suffix, 'trigger.suffix'),
  })
}

/** Whether an object key passes the trigger's filters. */
export function matchesStorageFilter(trigger: StorageTrigger, key: string): boolean {
  return (
    (trigger.prefix === undefined || key.startsWith(trigger.prefix)) &&
    (trigger.suffix === undefined || key.endsWith(trigger.suffix))
  )
}
