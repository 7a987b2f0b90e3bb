import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import { http } from '../../src/triggers/http.ts'
import { queue } from '../../src/triggers/queue.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { topic } from '../../src/triggers/topic.ts'
import type { HttpAuth } from '../../src/triggers/types.ts'
import { rejectedBeforeSending } from '../expect.ts'
import { type echo, httpThrows, ticker, worker } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

const ALL_AUTH: readonly HttpAuth[] = ['public', 'key', 'iam']

export const triggerValidation: Scenario[] = [
  {
    id: 'trigger-bad-config',
    title:
      'bad trigger configs (cron, methods, auth or options the target cannot do) are InvalidArgument naming the field, and nothing is created',
    async run({ cloud, probe, name, capabilities }) {
      const field = async (action: () => unknown, expected: string) => {
        const error = await rejectedBeforeSending(probe, async () => action(), 'InvalidArgument')
        assert.equal((error as { field?: string }).field, expected, error.message)
      }
      await field(() => schedule('61 * * * *'), 'trigger.schedule')
      await field(() => schedule('0 0 1 * MON'), 'trigger.schedule')
      await field(() => schedule('rate(7 minutes)'), 'trigger.schedule')
      await field(() => schedule('0 9 * * *', { timezone: 'Mars/Olympus' }), 'trigger.timezone')
      await field(() => http({ methods: ['FETCH' as never] }), 'trigger.methods[0]')
      await field(() => http({ auth: 'open' as never }), 'trigger.auth')
      await field(() => queue({ batchSize: 0 }), 'trigger.batchSize')
      // A topic is shared by its subscribers, so it is named, portably, and never its own dead letter.
      await field(() => topic({} as never), 'trigger.name')
      await field(() => topic({ name: 'Orders_1' }), 'trigger.name')
      await field(() => topic({ name: 'orders', deadLetter: 'orders' }), 'trigger.deadLetter')
      await field(() => topic({ name: 'orders', maxRetries: -1 }), 'trigger.maxRetries')
      await field(() => topic({ name: 'orders', maxRetries: 1.5 }), 'trigger.maxRetries')
      const { triggers } = capabilities
      const fnName = name('bad-trigger')
      const deploy = (definition: typeof echo) => cloud.deploy(definition, { name: fnName })
      for (const auth of ALL_AUTH.filter((mode) => triggers.http && !triggers.http.auth.includes(mode))) {
        await field(() => deploy(withOverrides(httpThrows, { trigger: http({ auth }) }) as never), 'trigger.auth')
      }
      if (!triggers.http) await field(() => deploy(httpThrows as never), 'trigger')
      if (!triggers.schedule) await field(() => deploy(ticker as never), 'trigger')
      if (triggers.schedule && !triggers.schedule.timezones) {
        await field(
          () => deploy(withOverrides(ticker, { trigger: schedule('0 9 * * *', { timezone: 'Europe/Paris' }) }) as never),
          'trigger.timezone',
        )
      }
      if (!triggers.queue) await field(() => deploy(worker as never), 'trigger')
      if (triggers.queue) {
        const { maxRetries, maxBatchSize, namedDeadLetter } = triggers.queue
        if (maxRetries.max < 100)
          await field(
            () => deploy(withOverrides(worker, { trigger: queue({ maxRetries: maxRetries.max + 1 }) }) as never),
            'trigger.maxRetries',
          )
        if (maxRetries.min > 0)
          await field(
            () => deploy(withOverrides(worker, { trigger: queue({ maxRetries: maxRetries.min - 1 }) }) as never),
            'trigger.maxRetries',
          )
        if (maxBatchSize < 10)
          await field(
            () => deploy(withOverrides(worker, { trigger: queue({ batchSize: maxBatchSize + 1 }) }) as never),
            'trigger.batchSize',
          )
        if (!namedDeadLetter)
          await field(
            () => deploy(withOverrides(worker, { trigger: queue({ deadLetter: 'elsewhere' }) }) as never),
            'trigger.deadLetter',
          )
      }
      assert.equal(await probe.exists(fnName), false)
    },
  },
]
