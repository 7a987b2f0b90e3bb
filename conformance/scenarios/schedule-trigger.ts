import assert from 'node:assert/strict'
import { assertExecutions, ScenarioSkipped } from '../expect.ts'
import { morning, ticker } from '../fixtures/functions.ts'
import type { Scenario, ScenarioContext } from '../scenario.ts'

function clockOf(context: ScenarioContext) {
  if (!context.clock) throw new ScenarioSkipped('this target has no clock a test can move, so fire counts were not checked')
  return context.clock
}

const MINUTE = 60_000

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
      const fn = await cloud.deploy(morning, { name: fnName })
      // Move to 03:30 UTC of the next day, then across 04:00 UTC.
      const day = 24 * 60 * MINUTE
      const now = clock.now()
      await clock.advance(day - (now % day) + 210 * MINUTE)
      const before = (await probe.executions(fnName)) ?? 0
      await clock.advance(60 * MINUTE)
      await assertExecutions(probe, fnName, before + 1)
      await clock.advance(5 * 60 * MINUTE)
      await assertExecutions(probe, fnName, before + 1)
      await fn.remove()
    },
  },
]
