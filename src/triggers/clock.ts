import { Cron } from 'croner'
import { expectInteger } from '../validation.ts'

/** One schedule, as a backend (the local fake, an emulator) runs it. */
export interface ScheduledJob {
  /** Normalized 5-field cron (see `ScheduleTrigger.cron`). */
  cron: string
  timezone: string
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

function nextTick(job: ScheduledJob, after: number): number | undefined {
  return new Cron(job.cron, { timezone: job.timezone, paused: true }).nextRun(new Date(after))?.getTime()
}

/** Wall-clock time: ticks fire on timers that never keep the process alive. */
export function systemClock(): TriggerClock {
  return {
    now: () => Date.now(),
    every(job) {
      let timer: NodeJS.Timeout | undefined
      let stopped = false
      const arm = (after: number) => {
        const at = nextTick(job, after)
        if (at === undefined || stopped) return
        // setTimeout caps at 2^31-1 ms; far ticks re-arm on the way.
        const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1)
        timer = setTimeout(() => {
          if (Date.now() < at) return arm(after)
          void job.fire(new Date(at)).finally(() => arm(at))
        }, delay)
        timer.unref()
      }
      arm(Date.now())
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
  const jobs = new Map<ScheduledJob, number | undefined>()
  return {
    now: () => now,
    every(job) {
      jobs.set(job, nextTick(job, now))
      return () => {
        jobs.delete(job)
      }
    },
    async advance(ms) {
      const target = now + expectInteger(ms, 'ms', 0, Number.MAX_SAFE_INTEGER, ' ms')
      let fired = 0
      for (;;) {
        const due = [...jobs].filter(([, at]) => at !== undefined && at <= target)
        if (due.length === 0) break
        const at = Math.min(...due.map(([, tick]) => tick as number))
        now = at
        const firing = due.filter(([, tick]) => tick === at).map(([job]) => job)
        for (const job of firing) jobs.set(job, nextTick(job, at))
        fired += firing.length
        await Promise.all(firing.map((job) => job.fire(new Date(at))))
      }
      now = target
      return fired
    },
  }
}
