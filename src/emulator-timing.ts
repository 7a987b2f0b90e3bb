import type { TriggerClock } from './triggers/clock.ts'

/**
 * How long the emulators' modelled delays last (state transitions, long-running
 * operations, retry back-offs).
 *
 * - `'fast'` (the default): milliseconds. Every transition still happens and
 *   can be observed (a function is Pending before Active, an operation is
 *   `done: false` on its first poll, a deployment is in progress before it
 *   succeeds); only its duration shrinks, so that a user's test pays tens of
 *   milliseconds per deploy rather than seconds.
 * - `'realistic'`: the clouds' documented durations (each emulator's options
 *   say which value stands for what), for tests of timeouts, progress
 *   reporting or retry pacing against real-cloud timings.
 *
 * An option given explicitly (`stateDelayMs`, `operationDelayMs`, ...) wins
 * over either preset.
 */
export type EmulatorTiming = 'fast' | 'realistic'

/** The preset `timing` names; anything but the two names is refused, naming the option. */
export function timingPreset<T>(timing: unknown, presets: Record<EmulatorTiming, T>): T {
  if (timing === undefined || timing === 'fast') return presets.fast
  if (timing === 'realistic') return presets.realistic
  throw new TypeError(`timing must be 'fast' or 'realistic' (got ${JSON.stringify(timing)})`)
}

/**
 * Resolves once `ms` have passed on `clock`: on the system clock after a
 * timer, on a manual clock (`createManualClock()`) once a test has advanced it
 * that far, however slow the machine. Zero or less resolves at once. The
 * clock's schedule hook carries the one tick, so any `TriggerClock` works.
 */
export function elapse(clock: TriggerClock, ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve()
  const at = clock.now() + ms
  return new Promise((resolve) => {
    // One tick at `at` until it fired, whatever `after` the clock asks with: the system clock asks with the time it
    // arms the job, which a descheduled process (a loaded machine) can reach only after `at`; "the first tick after
    // `after`" was then none, and the delay never elapsed (a GCP operation stayed running for ever).
    let fired = false
    // Clocks fire jobs after every() has returned, so `stop` is set by then.
    const stop = clock.every({
      cron: '',
      timezone: 'UTC',
      next: () => (fired ? undefined : at),
      fire: async () => {
        fired = true
        stop()
        resolve()
      },
    })
  })
}
