/**
 * The Functions host's Storage Queues extension options and rules, as
 * documented for the queue trigger
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger,
 * "host.json settings", "Poison messages", "Polling algorithm"): base64
 * messages by default, 5 dequeues before the poison queue, failed messages
 * released with visibility 0, batches of 16 refilled at half a batch,
 * polling backed off exponentially to one minute.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseTimeSpan } from '../constants.ts'

/** App settings override host.json's `extensions.queues` (`AzureFunctionsJobHost__extensions__queues__<name>`). */
export const QUEUE_OPTION_PREFIX = 'AzureFunctionsJobHost__extensions__queues__'

export interface QueueExtensionOptions {
  maxDequeueCount: number
  batchSize: number
  newBatchThreshold: number
  /** How long a failed message stays invisible before its retry. */
  visibilityTimeoutMs: number
  /** `base64` (the default): a message that is not base64 goes to the poison queue without running the function. */
  messageEncoding: 'base64' | 'none'
  /** Wall-clock pause after a poll that found messages (Azure: 100 ms). */
  minPollingMs: number
  /** Wall-clock cap of the back-off over empty polls (Azure: maxPollingInterval, 1 minute). */
  maxPollingMs: number
}

/** The host's documented minimum polling interval, which the emulator's pace stands for. */
const HOST_MIN_POLLING_MS = 100
const DEFAULT_MAX_POLLING_MS = 60_000

/** host.json's `extensions.queues`, or nothing when the package has none (or it is not JSON). */
export function hostJsonQueues(appDirectory: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(readFileSync(join(appDirectory, 'host.json'), 'utf8')) as { extensions?: { queues?: unknown } }
    const queues = parsed.extensions?.queues
    return typeof queues === 'object' && queues !== null ? (queues as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/**
 * The options of one app. `paceMs` is the emulator's stand-in for the host's
 * 100 ms minimum polling interval; maxPollingInterval scales with it, so a
 * fast emulator (paceMs 5) keeps the same shape of back-off, 20 times faster.
 */
export function queueOptions(
  settings: Record<string, string>,
  paceMs: number,
  hostJsonQueues: Record<string, unknown> = {},
): QueueExtensionOptions {
  // .NET configuration keys are case-insensitive; an app setting wins over host.json.
  const fromHostJson = (name: string) => {
    const found = Object.entries(hostJsonQueues).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]
    return typeof found === 'string' || typeof found === 'number' ? String(found) : undefined
  }
  const raw = (name: string) => settings[`${QUEUE_OPTION_PREFIX}${name}`] ?? fromHostJson(name)
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const value = Number(raw(name))
    return raw(name) !== undefined && Number.isInteger(value) && value >= min && value <= max ? value : fallback
  }
  const maxDequeueCount = integer('maxDequeueCount', 5, 1, Number.MAX_SAFE_INTEGER)
  // The REST API returns at most 32 messages per Get Messages.
  const batchSize = integer('batchSize', 16, 1, 32)
  // Documented default: batchSize / 2 per vCPU; a Flex instance of 2048 MB has one.
  const newBatchThreshold = integer('newBatchThreshold', Math.floor(batchSize / 2), 0, Number.MAX_SAFE_INTEGER)
  const visibilitySec = parseTimeSpan(raw('visibilityTimeout')) ?? 0
  const maxPollingSec = parseTimeSpan(raw('maxPollingInterval'))
  const encoding = raw('messageEncoding')?.toLowerCase()
  const scale = paceMs / HOST_MIN_POLLING_MS
  return {
    maxDequeueCount,
    batchSize,
    newBatchThreshold,
    visibilityTimeoutMs: visibilitySec * 1000,
    messageEncoding: encoding === 'none' ? 'none' : 'base64',
    minPollingMs: paceMs,
    maxPollingMs: Math.max(paceMs, (maxPollingSec === undefined ? DEFAULT_MAX_POLLING_MS : maxPollingSec * 1000) * scale),
  }
}

/**
 * Base64 as .NET's Convert.FromBase64String reads it (the queue SDK's
 * decoder): whitespace ignored, length a multiple of 4, padding only at the
 * end; the bytes as UTF-8. undefined when the text is not base64.
 */
export function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/[ \t\r\n]/g, '')
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined
  return Buffer.from(compact, 'base64').toString('utf8')
}

/**
 * The listener's polling pace: the minimum after a poll that found messages;
 * after empty polls twice the minimum, doubling up to the maximum (the
 * host randomizes each step by ±20 %; the emulator does not).
 */
export class PollingPace {
  readonly #minMs: number
  readonly #maxMs: number
  #emptyPolls = 0

  constructor(minMs: number, maxMs: number) {
    this.#minMs = minMs
    this.#maxMs = maxMs
  }

  next(found: boolean): number {
    if (found) {
      this.#emptyPolls = 0
      return this.#minMs
    }
    this.#emptyPolls = Math.min(this.#emptyPolls + 1, 40)
    return Math.min(this.#maxMs, this.#minMs * 2 ** this.#emptyPolls)
  }
}

/** A time as the host serializes a DateTimeOffset (Newtonsoft, UTC offset, whole seconds as the service keeps them). */
const hostTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, '+00:00')

/**
 * The queue trigger's binding data as the host sends it beside the message
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#message-metadata),
 * by name as typed data the worker turns into `context.triggerMetadata`
 * (camel-cased there): numbers and times as JSON, strings as strings.
 */
export function queueTriggerMetadata(
  message: { id: string; popReceipt: string; dequeueCount: number; insertedAt: number; expiresAt: number; visibleAt: number },
  text: string,
): Record<string, { string: string } | { json: string }> {
  return {
    QueueTrigger: { string: text },
    DequeueCount: { json: String(message.dequeueCount) },
    ExpirationTime: { json: JSON.stringify(hostTime(message.expiresAt)) },
    Id: { string: message.id },
    InsertionTime: { json: JSON.stringify(hostTime(message.insertedAt)) },
    NextVisibleTime: { json: JSON.stringify(hostTime(message.visibleAt)) },
    PopReceipt: { string: message.popReceipt },
  }
}
