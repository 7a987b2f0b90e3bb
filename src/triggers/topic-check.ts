import type { TriggerCapabilities } from '../provider.ts'
import { fail } from '../validation.ts'
import type { StorageTrigger, TopicTrigger } from './types.ts'

/** Rejects a topic trigger this provider cannot honour, naming the field, before anything is created. */
export function checkTopicSupport(
  trigger: TopicTrigger,
  topic: NonNullable<TriggerCapabilities['topic']>,
  provider: string,
): void {
  const { min, max } = topic.maxRetries
  if (trigger.maxRetries !== undefined && (trigger.maxRetries < min || trigger.maxRetries > max)) {
    fail('trigger.maxRetries', `must be from ${min} to ${max} on ${provider} (got ${trigger.maxRetries})`)
  }
  if (trigger.deadLetter !== undefined && !topic.namedDeadLetter) {
    fail('trigger.deadLetter', `cannot be named on ${provider}, whose dead letter is fixed per subscriber; leave it out`)
  }
}

/** Rejects a storage trigger this provider cannot honour, naming the field, before anything is created. */
export function checkStorageSupport(
  trigger: StorageTrigger,
  storage: NonNullable<TriggerCapabilities['storage']>,
  provider: string,
): void {
  for (const [index, event] of trigger.events.entries()) {
    if (!storage.events.includes(event)) {
      fail(`trigger.events[${index}]`, `'${event}' is not available on ${provider} (available: ${storage.events.join(', ')})`)
    }
  }
  if (!storage.filters && trigger.prefix !== undefined) fail('trigger.prefix', `cannot be filtered by on ${provider}`)
  if (!storage.filters && trigger.suffix !== undefined) fail('trigger.suffix', `cannot be filtered by on ${provider}`)
}
