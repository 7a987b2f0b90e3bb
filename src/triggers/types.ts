/**
 * Neutral trigger descriptions: plain, frozen data that `defineFunction`
 * carries, the core checks against a provider's capabilities, and each
 * provider maps onto its cloud's resources. Built by `http()`, `schedule()`,
 * `queue()`, `topic()` and `storage()`, which validate up front.
 */

/** Who may call an HTTP function: anyone, holders of the function's key, or callers with cloud IAM credentials. */
export type HttpAuth = 'public' | 'key' | 'iam'

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export interface HttpTrigger {
  readonly kind: 'http'
  readonly auth: HttpAuth
  /** Methods the endpoint answers; others get 405 on every backend. */
  readonly methods: readonly HttpMethod[]
}

export interface ScheduleTrigger {
  readonly kind: 'schedule'
  /** What the user wrote: `rate(5 minutes)` or a 5-field cron expression. */
  readonly expression: string
  /** The same as a normalized 5-field cron expression (numbers only), which every provider translates. */
  readonly cron: string
  /** IANA time zone in which `cron` is read (default `UTC`). */
  readonly timezone: string
}

export interface QueueTrigger {
  readonly kind: 'queue'
  /** Queue name (default: the function's name). */
  readonly name: string | undefined
  /** Messages fetched together; each still runs the handler once, on its own. */
  readonly batchSize: number
  /** Deliveries after the first failed one before the message is dead-lettered. */
  readonly maxRetries: number
  /** Queue that keeps messages which failed `maxRetries + 1` times (undefined: `<queue>-dead-letter`). */
  readonly deadLetter: string | undefined
}

export interface TopicTrigger {
  readonly kind: 'topic'
  /** Topic name; every function subscribed to it gets every message. */
  readonly name: string
  /** Deliveries after the first failed one before this subscriber's copy is dead-lettered (undefined: the cloud's default). */
  readonly maxRetries: number | undefined
  /** Queue that keeps this subscriber's failed copies (undefined: `<function>-dead-letter`). */
  readonly deadLetter: string | undefined
}

export const STORAGE_EVENTS = ['created', 'deleted'] as const
export type StorageEventType = (typeof STORAGE_EVENTS)[number]

export interface StorageTrigger {
  readonly kind: 'storage'
  readonly bucket: string
  /** The changes that start the function, in a fixed order. */
  readonly events: readonly StorageEventType[]
  readonly prefix: string | undefined
  readonly suffix: string | undefined
}

/** What a storage-triggered function receives, the same on every backend. */
export interface StorageEvent {
  bucket: string
  key: string
  /** Bytes of the object (0 for a deletion). */
  size: number
  /** The object version's entity tag, without quotes. */
  etag: string
  /** ISO time of the change. */
  eventTime: string
  type: StorageEventType
}

export type Trigger = HttpTrigger | ScheduleTrigger | QueueTrigger | TopicTrigger | StorageTrigger

/** What a scheduled function receives as its input. */
export interface ScheduleEvent {
  /** ISO time (UTC) of the tick this execution is for. */
  scheduledTime: string
}

const BRAND = Symbol.for('cloudfn.trigger')

/** Marks a trigger as built (and so validated) by `http()`, `schedule()`, `queue()`, `topic()` or `storage()`; invisible to JSON. */
export function branded<T extends Trigger>(trigger: T): Readonly<T> {
  Object.defineProperty(trigger, BRAND, { value: true, enumerable: false })
  return Object.freeze(trigger)
}

export function isBranded(value: unknown): value is Trigger {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
}
