import { createHash } from 'node:crypto'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { DeliveryQueue } from '../../src/sandbox/delivery-queue.ts'
import { matchesStorageFilter } from '../../src/triggers/storage.ts'
import type { StorageEvent, StorageEventType, StorageTrigger, Trigger } from '../../src/triggers/types.ts'
import { fail } from '../../src/validation.ts'
import { deliverTo } from './deliver.ts'
import type { RunOutcome } from './runner.ts'

/** Deliveries of an event before it is dropped: Lambda's asynchronous default (two retries), which S3 notifications use. */
const MAX_DELIVERIES = 3

interface StoredObject {
  size: number
  etag: string
}

interface Bucket {
  objects: Map<string, StoredObject>
  /** Made by a subscriber's deploy (so the last one out may delete it, if empty), not by `createBucket`. */
  madeByCloudfn: boolean
}

interface Subscriber {
  trigger: StorageTrigger
  queue: DeliveryQueue
}

/**
 * The local fake's object storage: in-memory buckets whose changes
 * (`put`, `delete`) run every function whose `storage()` trigger matches the
 * bucket, the kind of change and the prefix/suffix filters, at least once,
 * with the neutral `StorageEvent`. A subscriber's deploy creates a missing
 * bucket; removing the last subscriber deletes it only if cloudfn made it and
 * it holds no objects. A bucket made with `createBucket` is never deleted.
 */
export class LocalStorage {
  readonly #buckets = new Map<string, Bucket>()
  readonly #subscribers = new Map<string, Subscriber>()
  readonly #execute: (name: string, payload: string, executionId: string) => Promise<RunOutcome>
  readonly #retryDelayMs: number
  readonly #now: () => number

  constructor(options: {
    execute: (name: string, payload: string, executionId: string) => Promise<RunOutcome>
    retryDelayMs: number
    now: () => number
  }) {
    this.#execute = options.execute
    this.#retryDelayMs = options.retryDelayMs
    this.#now = options.now
  }

  /** Subscribes the function to its trigger's bucket (creating the bucket if missing); another kind unsubscribes it. */
  attach(name: string, trigger: Trigger | undefined): void {
    const previous = this.#subscribers.get(name)
    if (trigger?.kind !== 'storage') {
      if (previous) this.#unsubscribe(name, previous)
      return
    }
    if (!this.#buckets.has(trigger.bucket)) this.#buckets.set(trigger.bucket, { objects: new Map(), madeByCloudfn: true })
    if (previous) {
      // Events already queued for it are still delivered; new ones follow the new trigger.
      const oldBucket = previous.trigger.bucket
      previous.trigger = trigger
      if (oldBucket !== trigger.bucket) this.#dropIfUnused(oldBucket)
      return
    }
    const queue = new DeliveryQueue({
      batchSize: 1,
      maxDeliveries: MAX_DELIVERIES,
      retryDelayMs: this.#retryDelayMs,
      deliver: deliverTo(this.#execute, name),
    })
    this.#subscribers.set(name, { trigger, queue })
  }

  /** A bucket cloudfn did not make (as a user's existing one): functions may read it, and it is never deleted. */
  createBucket(bucket: string): void {
    if (!this.#buckets.has(bucket)) this.#buckets.set(bucket, { objects: new Map(), madeByCloudfn: false })
  }

  /** Writes an object (replacing one of that key) and fires `created`. */
  put(bucket: string, key: string, bytes: Uint8Array | string): { etag: string } {
    const target = this.#bucket(bucket)
    checkKey(key)
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
    // A single-part upload's ETag is the hex MD5 of its bytes, on S3 as on Blob Storage's Content-MD5.
    const stored = { size: data.byteLength, etag: createHash('md5').update(data).digest('hex') }
    target.objects.set(key, stored)
    this.#fire(bucket, key, 'created', stored)
    return { etag: stored.etag }
  }

  /** Deletes an object and fires `deleted` (`{ removed: false }`, and no event, when there was none). */
  delete(bucket: string, key: string): { removed: boolean } {
    const target = this.#bucket(bucket)
    if (!target.objects.delete(key)) return { removed: false }
    // S3's ObjectRemoved event carries neither size nor ETag: a deletion reports 0 and '' on every backend.
    this.#fire(bucket, key, 'deleted', { size: 0, etag: '' })
    return { removed: true }
  }

  /** The buckets that exist and their keys (for probes and tests). */
  list(): Array<{ name: string; keys: string[]; madeByCloudfn: boolean }> {
    return [...this.#buckets].map(([name, bucket]) => ({
      name,
      keys: [...bucket.objects.keys()].sort(),
      madeByCloudfn: bucket.madeByCloudfn,
    }))
  }

  async idle(): Promise<void> {
    await Promise.all([...this.#subscribers.values()].map((subscriber) => subscriber.queue.idle()))
  }

  close(): void {
    for (const { queue } of this.#subscribers.values()) queue.close()
    this.#subscribers.clear()
  }

  #bucket(bucket: string): Bucket {
    const found = this.#buckets.get(bucket)
    if (!found) {
      throw new NotFoundError({
        provider: 'local',
        resource: bucket,
        message: `Bucket '${bucket}' does not exist on local; deploy a storage() function on it or call createBucket first`,
      })
    }
    return found
  }

  #fire(bucket: string, key: string, type: StorageEventType, object: StoredObject): void {
    const event: StorageEvent = {
      bucket,
      key,
      size: object.size,
      etag: object.etag,
      eventTime: new Date(this.#now()).toISOString(),
      type,
    }
    for (const { trigger, queue } of this.#subscribers.values()) {
      if (trigger.bucket === bucket && trigger.events.includes(type) && matchesStorageFilter(trigger, key)) {
        queue.send(JSON.stringify(event))
      }
    }
  }

  #unsubscribe(name: string, subscriber: Subscriber): void {
    subscriber.queue.close()
    this.#subscribers.delete(name)
    this.#dropIfUnused(subscriber.trigger.bucket)
  }

  /** The last subscriber out deletes the bucket cloudfn made, unless it holds objects. */
  #dropIfUnused(bucket: string): void {
    const found = this.#buckets.get(bucket)
    if (!found?.madeByCloudfn || found.objects.size > 0) return
    if ([...this.#subscribers.values()].some((subscriber) => subscriber.trigger.bucket === bucket)) return
    this.#buckets.delete(bucket)
  }
}

function checkKey(key: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > 1024) {
    fail('key', 'must be a non-empty string of at most 1024 bytes (the key limit of S3 and Blob Storage)')
  }
}
