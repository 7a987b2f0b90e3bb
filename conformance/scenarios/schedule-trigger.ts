import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import type { ScheduleEvent } from '../../src/triggers/types.ts'
import { assertExecutions, ScenarioSkipped } from '../expect.ts'
import { morning, ticker } from '../fixtures/functions.ts'
import { scheduleRecorder } from '../fixtures/recorders.ts'
import type { Inbox } from '../inbox.ts'
import type { Scenario, ScenarioContext } from '../scenario.ts'

function clockOf(context: ScenarioContext) {
  if (!context.clock) throw new ScenarioSkipped('this target has no clock a test can move, so fire counts were not checked')
  return context.clock
}

function inboxOf(context: ScenarioContext): Inbox {
  if (!context.inbox) throw new ScenarioSkipped('this target runs handlers where the test cannot read what they received')
  return context.inbox()
}

const MINUTE = 60_000
const iso = (ms: number) => new Date(ms).toISOString()

/** The events recorded so far, as the handler got them, in tick order (not the order the files were written in). */
const eventsIn = (inbox: Inbox) =>
  inbox
    .deliveries()
    .map((delivery) => (delivery.defined ? delivery.received : '<undefined>'))
    .sort((a, b) => String((a as ScheduleEvent)?.scheduledTime).localeCompare(String((b as ScheduleEvent)?.scheduledTime)))

export const scheduleTrigger: Scenario[] = [
  {
    id: 'schedule-fire-count',
    title: 'rate(5 minutes) fires exactly 12 times in an hour of controlled time, and never after removal',
    requires: (caps) => (caps.triggers.schedule ? undefined : 'this target offers no schedule trigger'),
    async run(context) {
      const { cloud, probe, name } = context
      const clock = clockOf(context)
      const fnName = name('tick')
      const fn = await cloud.deploy(ticker, { name: fnName })
      assert.equal(fn.trigger?.kind, 'schedule')
      await assertExecutions(probe, fnName, 0)
      await clock.advance(60 * MINUTE)
      await assertExecutions(probe, fnName, 12)
      // A schedule can still be invoked directly, with the event it would get.
      assert.deepEqual(await fn.invoke({ scheduledTime: '2026-01-01T00:00:00.000Z' }), { at: '2026-01-01T00:00:00.000Z' })
      await fn.remove()
      await clock.advance(60 * MINUTE)
      assert.equal(await probe.exists(fnName), false)
      // The 12 ticks and the direct invoke; nothing fired after removal.
      await assertExecutions(probe, fnName, 13)
    },
  },
  {
    id: 'schedule-event',
    title: 'each tick hands the handler exactly { scheduledTime } of that tick (rates fire on clock boundaries)',
    requires: (caps) => (caps.triggers.schedule ? undefined : 'this target offers no schedule trigger'),
    async run(context) {
      const { cloud, name } = context
      const clock = clockOf(context)
      const inbox = inboxOf(context)
      try {
        // rate(5 minutes): every 5 minutes on the hour's boundaries, as Cloud Scheduler and Azure's NCRONTAB fire
        // (src/triggers/cron.ts, rateToCron). Each advance ends exactly on the next boundary, so that boundary is
        // the one tick that fired, and the event must name it.
        const fn = await cloud.deploy(withOverrides(scheduleRecorder, { env: inbox.env }), { name: name('event') })
        const expected: unknown[] = []
        for (let round = 0; round < 3; round++) {
          const boundary = (Math.floor(clock.now() / (5 * MINUTE)) + 1) * 5 * MINUTE
          await clock.advance(boundary - clock.now())
          expected.push({ scheduledTime: iso(boundary) })
          assert.deepEqual(eventsIn(inbox), expected, `after the tick at ${iso(boundary)}`)
        }
        await fn.remove()
      } finally {
        inbox.close()
      }
    },
  },
  {
    id: 'schedule-timezone',
    title: 'a cron expression is read in its time zone (09:30 in Kolkata fires at 04:00 UTC)',
    requires: (caps) => {
      if (!caps.triggers.schedule) return 'this target offers no schedule trigger'
      return caps.triggers.schedule.timezones ? undefined : 'this target reads schedules in UTC only'
    },
    async run(context) {
      const { cloud, probe, name } = context
      const clock = clockOf(context)
      const fnName = name('morning')
      // The recorder with morning's schedule, so the tick's time is checked too, not only that it ran.
      const inbox = context.inbox?.()
      const definition = inbox
        ? withOverrides(scheduleRecorder, { env: inbox.env, trigger: schedule('30 9 * * *', { timezone: 'Asia/Kolkata' }) })
        : morning
      assert.deepEqual(definition.trigger, morning.trigger)
      try {
        const fn = await cloud.deploy(definition, { name: fnName })
        // Move to 03:30 UTC of the next day, then across 04:00 UTC.
        const day = 24 * 60 * MINUTE
        const now = clock.now()
        const nextDay = now - (now % day) + day
        await clock.advance(nextDay + 210 * MINUTE - now)
        const before = (await probe.executions(fnName)) ?? 0
        const recordedBefore = inbox?.deliveries().length ?? 0
        await clock.advance(60 * MINUTE)
        await assertExecutions(probe, fnName, before + 1)
        await clock.advance(5 * 60 * MINUTE)
        await assertExecutions(probe, fnName, before + 1)
        if (inbox) assert.deepEqual(eventsIn(inbox).slice(recordedBefore), [{ scheduledTime: iso(nextDay + 240 * MINUTE) }])
        await fn.remove()
      } finally {
        inbox?.close()
      }
    },
  },
]
