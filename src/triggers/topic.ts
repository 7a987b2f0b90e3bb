import { PORTABLE_RULES } from '../portable-rules.ts'
import { describeValue, expectKnownKeys, expectPlainObject, fail, integerOr } from '../validation.ts'
import { branded, type TopicTrigger } from './types.ts'

export interface TopicOptions {
  /** Topic name (required: a topic is shared by its subscribers, so it cannot default to one function's name). */
  name: string
  /**
   * Deliveries after a failed one before this subscriber's copy is
   * dead-lettered (default: the cloud's own, `capabilities.triggers.topic.maxRetries.default`;
   * the ranges of the clouds do not overlap, so no single default fits all).
   */
  maxRetries?: number
  /** Queue that keeps this subscriber's failed messages (default `<function>-dead-letter`). */
  deadLetter?: string
}

/**
 * Subscribes the function to a topic: every message published to it (the
 * handle's `publish(message)`, or `cloud.topic(name).publish(message)`) runs
 * every subscribed function, at least once each (fan-out). A handler that
 * throws gets its copy again, up to `maxRetries` more times, after which that
 * copy goes to this subscriber's dead letter; the other subscribers are not
 * affected. A topic belongs to no single function: removing a subscriber
 * leaves the topic and the others, and the last one out removes what cloudfn
 * created. Maps to an SNS topic with a Lambda subscription, a Pub/Sub topic
 * with an Eventarc trigger per function, and an Event Grid topic.
 */
export function topic(options: TopicOptions): TopicTrigger {
  const checked = expectPlainObject(options, 'trigger')
  expectKnownKeys(checked, ['name', 'maxRetries', 'deadLetter'], 'trigger')
  if (checked.name === undefined)
    fail('trigger.name', 'is required: a topic is shared, so it is named, not derived from a function')
  const name = topicName(checked.name, 'trigger.name') as string
  const deadLetter = topicName(checked.deadLetter, 'trigger.deadLetter')
  if (deadLetter === name) {
    fail(
      'trigger.deadLetter',
      `must differ from the topic itself ('${name}'), or failed messages would go to every subscriber again`,
    )
  }
  return branded({
    kind: 'topic' as const,
    name,
    maxRetries: checked.maxRetries === undefined ? undefined : integerOr(checked.maxRetries, 0, 'trigger.maxRetries', 0, 100),
    deadLetter,
  })
}

function topicName(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !PORTABLE_RULES.name.pattern.test(value)) {
    fail(field, `must be ${PORTABLE_RULES.name.description} (got ${describeValue(value)})`)
  }
  return value
}

/** The topic a subscriber reads and the queue that keeps its own failed copies. */
export function topicNames(trigger: TopicTrigger, functionName: string): { topic: string; deadLetter: string } {
  return { topic: trigger.name, deadLetter: trigger.deadLetter ?? `${functionName}-dead-letter` }
}

/** The retries a subscriber gets: its own setting, else the cloud's default. */
export function topicRetries(trigger: TopicTrigger, defaults: { default: number }): number {
  return trigger.maxRetries ?? defaults.default
}
