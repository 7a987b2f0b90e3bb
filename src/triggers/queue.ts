import { PORTABLE_RULES } from '../portable-rules.ts'
import { describeValue, expectKnownKeys, expectPlainObject, fail, integerOr } from '../validation.ts'
import { branded, type QueueTrigger } from './types.ts'

export interface QueueOptions {
  /** Queue name (default: the function's name); same rules as function names. */
  name?: string
  /** Messages fetched at once, 1 to 10 (default 1); each still runs the handler on its own. */
  batchSize?: number
  /** Deliveries after a failed one before the message is dead-lettered (default 4; ranges differ by cloud). */
  maxRetries?: number
  /** Queue that keeps messages which failed every delivery (default `<queue>-dead-letter`). */
  deadLetter?: string
}

/**
 * Runs the function once per message sent to a queue (the handle's
 * `send(message)`), at least once: a handler that throws gets the message
 * again, up to `maxRetries` more times, after which it goes to the
 * dead-letter queue (see `queueNames`). Maps to SQS with an event source mapping, Pub/Sub with
 * an Eventarc trigger and Azure Storage Queues.
 */
export function queue(options: QueueOptions = {}): QueueTrigger {
  const checked = expectPlainObject(options, 'trigger')
  expectKnownKeys(checked, ['name', 'batchSize', 'maxRetries', 'deadLetter'], 'trigger')
  const name = queueName(checked.name, 'trigger.name')
  const deadLetter = queueName(checked.deadLetter, 'trigger.deadLetter')
  if (deadLetter !== undefined && deadLetter === name) {
    fail('trigger.deadLetter', `must differ from the queue itself ('${name}'), or failed messages would come straight back`)
  }
  return branded({
    kind: 'queue' as const,
    name,
    batchSize: integerOr(checked.batchSize, 1, 'trigger.batchSize', 1, 10),
    maxRetries: integerOr(checked.maxRetries, 4, 'trigger.maxRetries', 0, 100),
    deadLetter,
  })
}

function queueName(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !PORTABLE_RULES.name.pattern.test(value)) {
    fail(field, `must be ${PORTABLE_RULES.name.description} (got ${describeValue(value)})`)
  }
  return value
}

/** The queue a function's trigger reads and the one that keeps its failed messages. */
export function queueNames(trigger: QueueTrigger, functionName: string): { queue: string; deadLetter: string } {
  const queue = trigger.name ?? functionName
  return { queue, deadLetter: trigger.deadLetter ?? `${queue}-dead-letter` }
}
