import { describeValue, expectKnownKeys, expectPlainObject, expectString, fail } from '../validation.ts'
import { normalizeCron, rateToCron } from './cron.ts'
import { branded, type ScheduleTrigger } from './types.ts'

export interface ScheduleOptions {
  /** IANA time zone in which the expression is read (default `UTC`). */
  timezone?: string
}

/** The canonical spelling of an IANA time zone, or an error naming the field. */
function checkTimezone(value: unknown, field: string): string {
  const zone = expectString(value, field)
  // Intl takes UTC offsets ('+05:00') as zones since ES2024; the clouds' schedulers take IANA names only.
  if (/^[+\-\u2212]/.test(zone))
    fail(field, `must be an IANA time zone such as "UTC" or "Europe/Paris", not an offset (got ${describeValue(zone)})`)
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone
  } catch {
    return fail(field, `must be an IANA time zone such as "UTC" or "Europe/Paris" (got ${describeValue(zone)})`)
  }
}

/**
 * Runs the function on a schedule: `rate(5 minutes)`, `rate(1 hour)`,
 * `rate(1 day)` or a 5-field cron expression (`0 9 * * MON-FRI`), read in
 * `timezone`. The function receives `{ scheduledTime }` (see `ScheduleEvent`).
 * Maps to EventBridge Scheduler, Cloud Scheduler and an Azure timer trigger.
 */
export function schedule(expression: string, options: ScheduleOptions = {}): ScheduleTrigger {
  const text = expectString(expression, 'trigger.schedule')
  const checked = expectPlainObject(options, 'trigger.options')
  expectKnownKeys(checked, ['timezone'], 'trigger')
  const cron = rateToCron(text, 'trigger.schedule') ?? normalizeCron(text, 'trigger.schedule')
  const timezone = checked.timezone === undefined ? 'UTC' : checkTimezone(checked.timezone, 'trigger.timezone')
  return branded({ kind: 'schedule' as const, expression: text.trim(), cron, timezone })
}
