import type { Trigger } from '../src/triggers/types.ts'

/** One short line saying what starts a function, for tables and deploy output. */
export function describeTrigger(trigger: Trigger | undefined): string {
  if (!trigger) return '-'
  if (trigger.kind === 'http') return `http (${trigger.auth})`
  if (trigger.kind === 'schedule') return `schedule ${trigger.expression} (${trigger.timezone})`
  if (trigger.kind === 'topic')
    return `topic ${trigger.name}${trigger.maxRetries === undefined ? '' : ` (retries ${trigger.maxRetries})`}`
  if (trigger.kind === 'storage') {
    const filter = `${trigger.prefix ?? ''}*${trigger.suffix ?? ''}`
    return `storage ${trigger.bucket}/${filter} (${trigger.events.join(', ')})`
  }
  return `queue${trigger.name ? ` ${trigger.name}` : ''} (retries ${trigger.maxRetries})`
}
