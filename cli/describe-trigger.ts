import type { Trigger } from '../src/triggers/types.ts'

/** One short line saying what starts a function, for tables and deploy output. */
export function describeTrigger(trigger: Trigger | undefined): string {
  if (!trigger) return '-'
  if (trigger.kind === 'http') return `http (${trigger.auth})`
  if (trigger.kind === 'schedule') return `schedule ${trigger.expression} (${trigger.timezone})`
  return `queue${trigger.name ? ` ${trigger.name}` : ''} (retries ${trigger.maxRetries})`
}
