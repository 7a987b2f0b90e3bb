import { createHash, randomBytes, randomUUID } from 'node:crypto'

export interface SqsMessage {
  id: string
  body: string
  md5: string
  sentAt: number
  /** ApproximateReceiveCount. */
  receiveCount: number
  /** Invisible until then, once received. */
  visibleAt: number
  receiptHandle: string | undefined
}

export interface EmulatedQueue {
  name: string
  url: string
  arn: string
  attributes: Record<string, string>
  tags: Record<string, string>
  createdAt: number
  modifiedAt: number
  messages: SqsMessage[]
  /** Pollers waiting for a message (event source mappings). */
  readonly waiting: Set<() => void>
}

/** SQS's largest message since 2025 (older documentation: 256 KiB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024

/** The attributes SQS reports for a new queue, before the caller's own. */
export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
}

export function newMessage(body: string, now = Date.now()): SqsMessage {
  return {
    id: randomUUID(),
    body,
    md5: createHash('md5').update(body, 'utf8').digest('hex'),
    sentAt: now,
    receiveCount: 0,
    visibleAt: now,
    receiptHandle: undefined,
  }
}

export function enqueue(queue: EmulatedQueue, message: SqsMessage): void {
  queue.messages.push(message)
  for (const wake of [...queue.waiting]) wake()
}

interface RedrivePolicy {
  deadLetterTargetArn: string
  maxReceiveCount: number
}

export function redrivePolicyOf(queue: EmulatedQueue): RedrivePolicy | undefined {
  const text = queue.attributes.RedrivePolicy
  if (!text) return undefined
  const policy = JSON.parse(text) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string }
  return { deadLetterTargetArn: policy.deadLetterTargetArn ?? '', maxReceiveCount: Number(policy.maxReceiveCount ?? 10) }
}

/**
 * Up to `max` visible messages, each made invisible for `visibilityMs` with
 * its receive count raised. As SQS does, a message already received
 * maxReceiveCount times is moved to the dead-letter queue instead.
 */
export function receive(
  queue: EmulatedQueue,
  max: number,
  visibilityMs: number,
  queueByArn: (arn: string) => EmulatedQueue | undefined,
  now = Date.now(),
): SqsMessage[] {
  const redrive = redrivePolicyOf(queue)
  const received: SqsMessage[] = []
  for (const message of [...queue.messages]) {
    if (received.length >= max) break
    if (message.visibleAt > now) continue
    const deadLetter = redrive ? queueByArn(redrive.deadLetterTargetArn) : undefined
    if (redrive && deadLetter && message.receiveCount >= redrive.maxReceiveCount) {
      queue.messages.splice(queue.messages.indexOf(message), 1)
      enqueue(deadLetter, { ...message, receiveCount: 0, visibleAt: now, receiptHandle: undefined })
      continue
    }
    message.receiveCount++
    message.visibleAt = now + visibilityMs
    message.receiptHandle = randomBytes(32).toString('base64')
    received.push(message)
  }
  return received
}

/** Deletes by receipt handle; an outdated handle deletes nothing, as SQS allows. */
export function deleteMessage(queue: EmulatedQueue, receiptHandle: string): void {
  const index = queue.messages.findIndex((message) => message.receiptHandle === receiptHandle)
  if (index >= 0) queue.messages.splice(index, 1)
}

/** When the next invisible message becomes visible, if any. */
export function nextVisibleAt(queue: EmulatedQueue): number | undefined {
  const times = queue.messages.map((message) => message.visibleAt)
  return times.length === 0 ? undefined : Math.min(...times)
}
