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

/** Messages live seven days unless the sender says otherwise. */
const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000

export function createQueue(name: string, metadata: Record<string, string> = {}): QueueState {
  return { name, metadata, messages: [] }
}

export function putMessage(queue: QueueState, text: string, now: number, visibilityDelayMs = 0): QueueMessageState {
  const message: QueueMessageState = {
    id: randomUUID(),
    popReceipt: randomUUID(),
    text,
    dequeueCount: 0,
    insertedAt: now,
    expiresAt: now + DEFAULT_TTL_MS,
    visibleAt: now + visibilityDelayMs,
  }
  queue.messages.push(message)
  return message
}

/** Get Messages: up to `count` visible messages, each hidden for the visibility timeout with a new pop receipt. */
export function getMessages(queue: QueueState, count: number, visibilityTimeoutMs: number, now: number): QueueMessageState[] {
  queue.messages = queue.messages.filter((message) => message.expiresAt > now)
  const taken = queue.messages.filter((message) => message.visibleAt <= now).slice(0, count)
  for (const message of taken) {
    message.dequeueCount++
    message.popReceipt = randomUUID()
    message.visibleAt = now + visibilityTimeoutMs
  }
  return taken
}

/** Delete Message: only with the latest pop receipt, as Azure requires. */
export function deleteMessage(queue: QueueState, id: string, popReceipt: string): 'deleted' | 'not-found' | 'receipt-mismatch' {
  const index = queue.messages.findIndex((message) => message.id === id)
  const message = queue.messages[index]
  if (!message) return 'not-found'
  if (message.popReceipt !== popReceipt) return 'receipt-mismatch'
  queue.messages.splice(index, 1)
  return 'deleted'
}

/** Update Message with visibility only: hides (or shows) a dequeued message until `visibleAt`. */
export function releaseMessage(message: QueueMessageState, visibleAt: number): void {
  message.visibleAt = visibleAt
  message.popReceipt = randomUUID()
}
