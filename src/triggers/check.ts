import type { TriggerCapabilities } from '../provider.ts'
import { describeValue, fail } from '../validation.ts'
import { queueNames } from './queue.ts'
import { topicNames } from './topic.ts'
import { checkStorageSupport, checkTopicSupport } from './topic-check.ts'
import { isBranded, type QueueTrigger, type Trigger } from './types.ts'

const KINDS = ['http', 'schedule', 'queue', 'topic', 'storage'] as const

/** A trigger object, as `http()`, `schedule()`, `queue()`, `topic()` or `storage()` built it (a look-alike skipped their checks). */
export function expectTrigger(value: unknown): Trigger {
  if (!isBranded(value))
    fail('trigger', `must come from http(), schedule(), queue(), topic() or storage() (got ${describeValue(value)})`)
  return value
}

/** Rejects a trigger this provider cannot honour, naming the field, before anything is created. */
export function checkTriggerSupport(trigger: Trigger, triggers: TriggerCapabilities, provider: string): void {
  const offered = KINDS.filter((kind) => triggers[kind] !== undefined)
  const none = `${provider} offers no ${trigger.kind} trigger (offered: ${offered.join(', ') || 'none'})`
  if (trigger.kind === 'http') {
    const http = triggers.http ?? fail('trigger', none)
    if (!http.auth.includes(trigger.auth)) {
      fail('trigger.auth', `'${trigger.auth}' is not available on ${provider} (available: ${http.auth.join(', ')})`)
    }
  } else if (trigger.kind === 'schedule') {
    const schedule = triggers.schedule ?? fail('trigger', none)
    if (!schedule.timezones && trigger.timezone !== 'UTC') {
      fail('trigger.timezone', `must be UTC on ${provider}, which reads schedules in UTC only (got "${trigger.timezone}")`)
    }
  } else if (trigger.kind === 'storage') {
    checkStorageSupport(trigger, triggers.storage ?? fail('trigger', none), provider)
  } else if (trigger.kind === 'topic') {
    checkTopicSupport(trigger, triggers.topic ?? fail('trigger', none), provider)
  } else {
    const queue = triggers.queue ?? fail('trigger', none)
    if (trigger.batchSize > queue.maxBatchSize) {
      fail('trigger.batchSize', `must be at most ${queue.maxBatchSize} on ${provider} (got ${trigger.batchSize})`)
    }
    const { min, max } = queue.maxRetries
    if (trigger.maxRetries < min || trigger.maxRetries > max) {
      fail('trigger.maxRetries', `must be from ${min} to ${max} on ${provider} (got ${trigger.maxRetries})`)
    }
    if (trigger.deadLetter !== undefined && !queue.namedDeadLetter) {
      fail('trigger.deadLetter', `cannot be named on ${provider}, whose dead-letter queue name is fixed; leave it out`)
    }
  }
}

/** The queue defaults to the deployed name, so only now can a dead-letter queue be seen to be the queue itself. */
export function checkQueueNames(trigger: QueueTrigger, functionName: string): void {
  const { queue, deadLetter } = queueNames(trigger, functionName)
  if (queue === deadLetter) {
    fail('trigger.deadLetter', `must differ from the queue itself ('${queue}'), or failed messages would come straight back`)
  }
}

/** The names a trigger derives from the function's deployed name, checked once that name is known. */
export function checkTriggerNames(trigger: Trigger, functionName: string): void {
  if (trigger.kind === 'queue') checkQueueNames(trigger, functionName)
  if (trigger.kind !== 'topic') return
  const { topic, deadLetter } = topicNames(trigger, functionName)
  if (topic === deadLetter) {
    fail(
      'trigger.deadLetter',
      `must differ from the topic itself ('${topic}'), or failed messages would go to every subscriber again`,
    )
  }
}
