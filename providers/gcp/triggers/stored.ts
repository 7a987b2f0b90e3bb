/**
 * The trigger a function was deployed with, kept in an environment variable
 * of the function (labels are too short for it, and Cloud Scheduler jobs
 * have none), so get() and list() return it from the function alone.
 */
import type { Trigger } from '../../../src/triggers/types.ts'

export const TRIGGER_ENV = 'CLOUDFN_TRIGGER'

export function triggerEnv(trigger: Trigger | undefined): Record<string, string> {
  return trigger ? { [TRIGGER_ENV]: JSON.stringify(trigger) } : {}
}

const KINDS = new Set(['http', 'schedule', 'queue', 'topic', 'storage'])

/** The stored trigger, or undefined when there is none or it was tampered with beyond reading. */
export function storedTrigger(env: Readonly<Record<string, string>> | null | undefined): Trigger | undefined {
  const text = env?.[TRIGGER_ENV]
  if (!text) return undefined
  try {
    const parsed = JSON.parse(text) as Trigger
    return parsed && typeof parsed === 'object' && KINDS.has(parsed.kind) ? Object.freeze(parsed) : undefined
  } catch {
    return undefined
  }
}
