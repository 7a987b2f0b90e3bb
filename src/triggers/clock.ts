import type { Cron } from 'croner'
import { expectInteger } from '../validation.ts'

/** One schedule, as a backend (the local fake, an emulator) runs it. */
export interface ScheduledJob {
  /** Normalized 5-field cron (see `ScheduleTrigger.cron`); read only when `next` is absent. */
  cron: string
  timezone: string
  /** The backend's own schedule (e.g. Azure's NCRONTAB): the first tick after `after` ms, if any. */
  next?(after: number): number | undefined
  /** Called at each tick; the clock waits for it before moving past the tick. */
  fire(scheduledTime: Date): Promise<void>
}

/** Time as the backends that run schedules see it. */
export interface TriggerClock {
  now(): number
  /** Fires `job` at each tick after now until the returned function is called. */
  every(job: ScheduledJob): () => void
}

/**
 * A clock that moves only when told, so schedule tests need no waiting:
 * `advance(ms)` fires every tick on the way, in time order, and resolves once
 * those executions have finished.
 */
export interface ManualClock extends TriggerClock {
  /** Moves time forward; resolves with the number of ticks fired. */
  advance(ms: number): Promise<number>
}

// croner is loaded on first use: importing a provider must stay cheap for code that has no schedule. A failed
// load is not kept, so the next tick to arm tries again.
let cron: Promise<typeof Cron> | undefined
const loadCron = () => {
  cron ??= import('croner').then(
    (module) => module.Cron,
    (error: unknown) => {
      cron = undefined
      throw error
    },
  )
  return cron
}

function nextTick(CronClass: typeof Cron, job: ScheduledJob, after: number): number | undefined {
  if (job.next) return job.next(after)
  return new CronClass(job.cron, { timezone: job.timezone, paused: true }).nextRun(new Date(after))?.getTime()
}

/** A job's next tick; croner is loaded only for a job without its own `next` (an emulator's delay has one). */
async function nextTickOf(job: ScheduledJob, after: number): Promise<number | undefined> {
  return job.next ? job.next(after) : nextTick(await loadCron(), job, after)
}

/** How long a job whose next tick could not be worked out waits before trying again: doubling up to a minute. */
const REARM_AFTER_FAILURE_MS = 1000
const REARM_MAX_MS = 60_000

/** Wall-clock time: ticks fire on timers that never keep the process alive. */
export function systemClock(): TriggerClock {
  return {
    now: () => Date.now(),
    every(job) {
      let timer: NodeJS.Timeout | undefined
      let stopped = false
      let failures = 0
      const arm = async (after: number): Promise<void> => {
        let at: number | undefined
        try {
          at = await nextTickOf(job, after)
          failures = 0
        } catch (error) {
          // Swallowed, a failed load (a module loader that timed out under load) stopped the job for good: an
          // emulator's operation then never ended and its deploy polled until the caller's deadline.
          if (stopped) return
          if (failures === 0) {
            process.emitWarning(
              `A schedule could not work out its next tick, trying again: ${String(error)}`,
              'CloudfnClockWarning',
            )
          }
          timer = setTimeout(() => void arm(after), Math.min(REARM_AFTER_FAILURE_MS * 2 ** failures, REARM_MAX_MS))
          timer.unref()
          failures++
          return
        }
        if (at === undefined || stopped) return
        // setTimeout caps at 2^31-1 ms; far ticks re-arm on the way.
        const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1)
        timer = setTimeout(() => {
          if (Date.now() < at) return void arm(after)
          void job.fire(new Date(at)).finally(() => arm(at))
        }, delay)
        timer.unref()
      }
      void arm(Date.now())
      return () => {
        stopped = true
        clearTimeout(timer)
      }
    },
  }
}

/** A `ManualClock` starting at `start` (default: now). */
export function createManualClock(start: Date | number = Date.now()): ManualClock {
  let now = typeof start === 'number' ? start : start.getTime()
  expectInteger(now, 'start', 0, Number.MAX_SAFE_INTEGER, ' ms since the epoch')
  // A job's next tick, or the time it was added at until advance() (async) can compute it.
  const jobs = new Map<ScheduledJob, { at: number | undefined } | { since: number }>()
  return {
    now: () => now,
    every(job) {
      jobs.set(job, { since: now })
      return () => {
        jobs.delete(job)
      }
    },
    async advance(ms) {
      const target = now + expectInteger(ms, 'ms', 0, Number.MAX_SAFE_INTEGER, ' ms')
      // croner only if some job needs it (an emulator's delays bring their own next()).
      const CronClass = [...jobs.keys()].some((job) => !job.next) ? await loadCron() : undefined
      const tickAfter = (job: ScheduledJob, after: number) =>
        job.next ? job.next(after) : nextTick(CronClass as typeof Cron, job, after)
      for (const [job, state] of jobs) if ('since' in state) jobs.set(job, { at: tickAfter(job, state.since) })
      let fired = 0
      const tickOf = (state: { at: number | undefined } | { since: number }) => ('at' in state ? state.at : undefined)
      for (;;) {
        const due = [...jobs].filter(([, state]) => (tickOf(state) ?? Number.POSITIVE_INFINITY) <= target)
        if (due.length === 0) break
        const at = Math.min(...due.map(([, state]) => tickOf(state) as number))
        now = at
        const firing = due.filter(([, state]) => tickOf(state) === at).map(([job]) => job)
        for (const job of firing) jobs.set(job, { at: tickAfter(job, at) })
        fired += firing.length
        await Promise.all(firing.map((job) => job.fire(new Date(at))))
      }
      now = target
      return fired
    },
  }
}
