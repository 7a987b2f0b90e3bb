import assert from 'node:assert/strict'
import { assertExecutions, rejectsWith } from '../expect.ts'
import { coldStart, echo, hog, readEnv, sleep, whoAmI } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

/** Set in the deploying process only; a function must never see it. */
const HOST_ONLY_VARIABLE = 'CONFORMANCE_HOST_ONLY_SECRET'

export const runtime: Scenario[] = [
  {
    id: 'timeout',
    title: 'a function running past timeoutSec is stopped with Timeout, and the next call works',
    async run({ cloud, name }) {
      const fn = await cloud.deploy(sleep, { name: name('sleep') })
      assert.deepEqual(await fn.invoke({ ms: 10 }), { sleptMs: 10 })
      // The call would last a minute if the timeout did not stop it; the bound only tells the two apart, with room
      // for a loaded machine (a wall-clock window near 1 s would fail there).
      const started = Date.now()
      const error = await rejectsWith(fn.invoke({ ms: 60_000 }), 'Timeout')
      const elapsed = Date.now() - started
      assert.equal((error as { timeoutSec?: number }).timeoutSec, 1)
      assert.ok(elapsed < 40_000, `the timeout took ${elapsed} ms to take effect`)
      assert.deepEqual(await fn.invoke({ ms: 10 }), { sleptMs: 10 })
      await fn.remove()
    },
  },
  {
    id: 'out-of-memory',
    title: 'a function exceeding memoryMb is stopped with OutOfMemory',
    requires: (caps) => (caps.memoryLimit ? undefined : 'this target does not enforce memory limits'),
    async run({ cloud, name }) {
      const fn = await cloud.deploy(hog, { name: name('hog') })
      const error = await rejectsWith(fn.invoke(null), 'OutOfMemory')
      assert.equal((error as { memoryMb?: number }).memoryMb, 128)
      await fn.remove()
    },
  },
  {
    id: 'env-vars',
    title: "the function sees its env vars and none of the deployer's",
    async run({ cloud, name }) {
      process.env[HOST_ONLY_VARIABLE] = 'must-not-leak'
      try {
        const fn = await cloud.deploy(readEnv, { name: name('env') })
        const seen = await fn.invoke({ keys: ['MODE', 'GREETING', HOST_ONLY_VARIABLE] })
        assert.deepEqual(seen, { MODE: 'fast', GREETING: 'héllo wörld', [HOST_ONLY_VARIABLE]: null })
        assert.deepEqual(fn.envKeys, ['GREETING', 'MODE'])
        assert.equal(JSON.stringify(fn).includes('héllo'), false, 'env values must not be echoed in the handle')
        await fn.remove()
      } finally {
        delete process.env[HOST_ONLY_VARIABLE]
      }
    },
  },
  {
    id: 'function-name',
    title: "ctx.functionName is the name the function was deployed under, not its definition's",
    async run({ cloud, name }) {
      const deployed = name('renamed')
      const fn = await cloud.deploy(whoAmI, { name: deployed })
      assert.notEqual(deployed, whoAmI.name)
      assert.deepEqual(await fn.invoke(null), { functionName: deployed })
      await fn.remove()
    },
  },
  {
    id: 'cold-start',
    title: 'the first call of a fresh instance reports a cold start, the next does not',
    requires: (caps) => (caps.coldStartReport ? undefined : 'this target does not report cold starts'),
    async run({ cloud, name }) {
      const fn = await cloud.deploy(coldStart, { name: name('cold') })
      const first = await fn.invokeDetailed(null)
      const second = await fn.invokeDetailed(null)
      assert.equal(first.value.coldStart, true)
      assert.equal(first.meta.coldStart, true)
      assert.equal(second.value.coldStart, false)
      assert.equal(second.meta.coldStart, false)
      assert.equal(first.meta.executionId, first.value.executionId)
      assert.notEqual(first.meta.executionId, second.meta.executionId)
      assert.ok(first.meta.durationMs >= 0)
      await fn.remove()
    },
  },
  {
    id: 'parallel-invokes',
    title: '50 parallel invokes each return their own result, and each ran exactly once',
    async run({ cloud, probe, name }) {
      const fnName = name('parallel')
      const fn = await cloud.deploy(echo, { name: fnName })
      const inputs = Array.from({ length: 50 }, (_, index) => ({ index, tag: `item-${index}` }))
      const results = await Promise.all(inputs.map((input) => fn.invoke(input)))
      assert.deepEqual(results, inputs)
      await assertExecutions(probe, fnName, 50)
      await fn.remove()
    },
  },
  {
    id: 'map',
    title: 'map() gives every input exactly one result, in order, with typed errors',
    async run({ cloud, probe, name }) {
      const fnName = name('map')
      const fn = await cloud.deploy(sleep, { name: fnName })
      // The third input outlasts the 1 s timeout; the others finish.
      const inputs = [10, 20, 3000, 5, 30, 1, 2, 3].map((ms) => ({ ms }))
      const progress: number[] = []
      const results = await fn.map(inputs, { concurrency: 3, onProgress: (p) => progress.push(p.done) })
      assert.equal(results.length, inputs.length)
      results.forEach((result, index) => {
        assert.equal(result.index, index)
        if (index === 2) assert.ok(!result.ok && result.error.code === 'Timeout', 'the slow input should fail with Timeout')
        else
          assert.deepEqual(
            result.ok ? result.value : `${result.error.code}: ${result.error.message}`,
            { sleptMs: inputs[index]?.ms },
            `input ${index}`,
          )
      })
      assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8])
      await assertExecutions(probe, fnName, inputs.length)
      await fn.remove()
    },
  },
]
