/**
 * Storage queues as Azure Storage keeps them, shared by the data plane
 * (queue-service.ts), ARM (arm-queues.ts) and the host's queue extension
 * (triggers.ts). Rules follow the Queue service REST reference
 * (https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api)
 * and are checked against Azurite by queue-service.azurite.test.ts.
 */
import { randomUUID } from 'node:crypto'

/** One message as Azure Storage keeps it: text as sent (base64 by convention), visibility and dequeue count. */
export interface QueueMessageState {
  id: string
  popReceipt: string
  text: string
  dequeueCount: number
  insertedAt: number
  expiresAt: number
  /** Epoch ms from which Get Messages may return it again. */
  visibleAt: number
}

export interface QueueState {
  name: string
  metadata: Record<string, string>
  messages: QueueMessageState[]
}

/** Messages live seven days unless the sender says otherwise (Put Message, `messagettl`). */
export const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000
/** `messagettl=-1`: the message never expires; Azure writes this expiration time. */
export const NEVER_EXPIRES = Date.UTC(9999, 11, 31, 23, 59, 59)

export function createQueue(name: string, metadata: Record<string, string> = {}): QueueState {
  return { name, metadata, messages: [] }
}

/** Expired messages are gone for every operation (Azure deletes them; none can be read, updated or deleted). */
export function dropExpired(queue: QueueState, now: number): void {
  if (queue.messages.some((message) => message.expiresAt <= now)) {
    queue.messages = queue.messages.filter((message) => message.expiresAt > now)
  }
}

/**
 * Put Message. `ttlMs` undefined is the 7-day default and `Infinity` never
 * expires; a TTL running past year 9999 is capped there, as Azurite does.
 */
export function putMessage(
  queue: QueueState,
  text: string,
  now: number,
  visibilityDelayMs = 0,
  ttlMs: number = DEFAULT_TTL_MS,
): QueueMessageState {
  const message: QueueMessageState = {
    id: randomUUID(),
    popReceipt: randomUUID(),
    text,
    dequeueCount: 0,
    insertedAt: now,
    expiresAt: Math.min(now + ttlMs, NEVER_EXPIRES),
    visibleAt: now + visibilityDelayMs,
  }
  queue.messages.push(message)
  return message
}

/** Get Messages: up to `count` visible messages, each hidden for the visibility timeout with a new pop receipt. */
export function getMessages(queue: QueueState, count: number, visibilityTimeoutMs: number, now: number): QueueMessageState[] {
  dropExpired(queue, now)
  const taken = queue.messages.filter((message) => message.visibleAt <= now).slice(0, count)
  for (const message of taken) {
    message.dequeueCount++
    message.popReceipt = randomUUID()
    message.visibleAt = now + visibilityTimeoutMs
  }
  return taken
}

/** Peek Messages: the visible messages, left exactly as they are (no dequeue, no new pop receipt). */
export function peekMessages(queue: QueueState, count: number, now: number): QueueMessageState[] {
  dropExpired(queue, now)
  return queue.messages.filter((message) => message.visibleAt <= now).slice(0, count)
}

export type MessageOutcome = 'not-found' | 'receipt-mismatch'

function find(queue: QueueState, id: string, popReceipt: string, now: number): QueueMessageState | MessageOutcome {
  dropExpired(queue, now)
  const message = queue.messages.find((each) => each.id === id)
  if (!message) return 'not-found'
  if (message.popReceipt !== popReceipt) return 'receipt-mismatch'
  return message
}

/** Delete Message: only with the latest pop receipt, as Azure requires. */
export function deleteMessage(queue: QueueState, id: string, popReceipt: string, now = Date.now()): 'deleted' | MessageOutcome {
  const found = find(queue, id, popReceipt, now)
  if (typeof found === 'string') return found
  queue.messages.splice(queue.messages.indexOf(found), 1)
  return 'deleted'
}

/**
 * Update Message: new visibility (and text, when given) under the latest pop
 * receipt; a new pop receipt, the dequeue count unchanged.
 */
export function updateMessage(
  queue: QueueState,
  id: string,
  popReceipt: string,
  now: number,
  visibilityTimeoutMs: number,
  text?: string,
): QueueMessageState | MessageOutcome {
  const found = find(queue, id, popReceipt, now)
  if (typeof found === 'string') return found
  found.visibleAt = now + visibilityTimeoutMs
  found.popReceipt = randomUUID()
  if (text !== undefined) found.text = text
  return found
}

/** Update Message with visibility only: hides (or shows) a dequeued message until `visibleAt`. */
export function releaseMessage(message: QueueMessageState, visibleAt: number): void {
  message.visibleAt = visibleAt
  message.popReceipt = randomUUID()
}
