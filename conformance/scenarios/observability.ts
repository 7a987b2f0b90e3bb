import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { countedExecutions, eventually, rejectsWith } from '../expect.ts'
import { echo, logger } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

export const observability: Scenario[] = [
  {
    id: 'logs',
    title: 'console output and ctx.log lines are captured per execution',
    requires: (caps) => (caps.logs ? undefined : 'this target has no logs capability'),
    async run({ cloud, name }) {
      const fn = await cloud.deploy(logger, { name: name('logger') })
      const marker = randomUUID()
      const executionId = await fn.invoke({ marker })
      await fn.invoke({ marker: 'other' })
      let mine: Array<{ message: string; level: string; executionId: string }> = []
      await eventually(
        async () => {
          mine = (await fn.logs()).filter((entry) => entry.message.includes(marker))
          return mine.length >= 3
        },
        30_000,
        'the log lines to arrive',
      )
      assert.deepEqual(
        mine.map((entry) => entry.message),
        [`console line ${marker}`, `error line ${marker}`, `context line ${marker} { nested: true }`],
      )
      assert.ok(
        mine.every((entry) => entry.executionId === executionId),
        'log lines carry the execution id',
      )
      assert.deepEqual(
        mine.map((entry) => entry.level),
        ['log', 'error', 'log'],
      )
      assert.equal((await fn.logs({ limit: 1 })).length, 1)
      await fn.remove()
    },
  },
  {
    id: 'logs-unsupported',
    title: 'logs() on a target without logs gives Unsupported',
    requires: (caps) => (caps.logs ? 'this target has logs' : undefined),
    async run({ cloud, name }) {
      const fn = await cloud.deploy(echo, { name: name('nologs') })
      await rejectsWith(fn.logs(), 'Unsupported')
      await fn.remove()
    },
  },
  {
    id: 'invoke-async',
    title: 'invokeAsync queues one execution and returns its id at once',
    requires: (caps) => (caps.asyncInvoke ? undefined : 'this target has no asynchronous invoke'),
    async run({ cloud, probe, name }) {
      const fnName = name('async')
      const fn = await cloud.deploy(echo, { name: fnName })
      const { executionId } = await fn.invokeAsync({ queued: true })
      assert.equal(typeof executionId, 'string')
      await eventually(async () => (await countedExecutions(probe, fnName)) === 1, 30_000, 'the queued execution to run')
      await fn.remove()
    },
  },
  {
    id: 'invoke-async-unsupported',
    title: 'invokeAsync on a target without it gives Unsupported and sends nothing',
    requires: (caps) => (caps.asyncInvoke ? 'this target supports asynchronous invoke' : undefined),
    async run({ cloud, name }) {
      const fn = await cloud.deploy(echo, { name: name('noasync') })
      await rejectsWith(fn.invokeAsync({}), 'Unsupported')
      await fn.remove()
    },
  },
]
