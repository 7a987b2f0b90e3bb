import { resolve } from 'node:path'
import type { CloudSettings } from '../../src/client.ts'
import { systemClock, type TriggerClock } from '../../src/triggers/clock.ts'
import { expectKnownKeys, expectPlainObject, expectString, fail, integerOr } from '../../src/validation.ts'

export type Isolation = 'inline' | 'worker'

export interface LocalSettings extends CloudSettings {
  /**
   * `inline` (default) calls handlers in this thread: fastest, for unit tests.
   * `worker` packages the function and runs the artifact in worker threads
   * with the timeout and memory limit enforced, as a cloud does.
   */
  isolation?: Isolation
  /** Concurrent executions per function before `ThrottledError` (default 100). */
  maxInstances?: number
  /**
   * Keep deployments in this folder so other processes reach them (worker
   * isolation only: inline handlers cannot be saved). The CLI uses `.cloudfn/local`.
   */
  persistDir?: string
  /**
   * Time for schedule triggers (default: the system clock). Pass
   * `createManualClock()` from `cloudfn/testing` to fire schedules with
   * `clock.advance(ms)` instead of waiting.
   */
  clock?: TriggerClock
  /** Pause before a failed queue message (or a topic subscriber's failed copy) is delivered again (default 10 ms). */
  queueRetryDelayMs?: number
}

/** The settings after validation, with every default filled in. */
export interface ResolvedLocalSettings {
  isolation: Isolation
  maxInstances: number
  /** Absolute; absent when deployments live in memory only. */
  persistDir: string | undefined
  clock: TriggerClock
  queueRetryDelayMs: number
}

/** Checks the settings before anything runs, so a typo fails at construction, not at the first deploy. */
export function resolveSettings(settings: Omit<LocalSettings, 'retry'>): ResolvedLocalSettings {
  const checked = expectPlainObject(settings, 'settings')
  expectKnownKeys(checked, ['isolation', 'maxInstances', 'persistDir', 'clock', 'queueRetryDelayMs'], 'settings')
  const isolation = settings.isolation ?? 'inline'
  if (isolation !== 'inline' && isolation !== 'worker')
    fail('settings.isolation', `must be 'inline' or 'worker' (got ${JSON.stringify(isolation)})`)
  const maxInstances = integerOr(settings.maxInstances, 100, 'settings.maxInstances', 1, 1000)
  if (settings.persistDir !== undefined) {
    expectString(settings.persistDir, 'settings.persistDir')
    if (isolation !== 'worker') fail('settings.persistDir', "needs isolation 'worker' (inline handlers cannot be saved)")
  }
  return {
    isolation,
    maxInstances,
    persistDir: settings.persistDir === undefined ? undefined : resolve(settings.persistDir),
    clock: checkClock(settings.clock),
    queueRetryDelayMs: integerOr(settings.queueRetryDelayMs, 10, 'settings.queueRetryDelayMs', 0, 60_000, ' ms'),
  }
}

function checkClock(clock: unknown): TriggerClock {
  if (clock === undefined) return systemClock()
  const candidate = clock as Partial<TriggerClock> | null
  if (typeof candidate?.now !== 'function' || typeof candidate.every !== 'function') {
    fail('settings.clock', 'must be a clock from createManualClock() (cloudfn/testing)')
  }
  return candidate as TriggerClock
}
