import assert from 'node:assert/strict'
import { echo } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

/** Sums of floating-point dollars agree to far below a cent's billionth. */
const same = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-15 + 1e-9 * Math.abs(expected), `${what}: ${actual} ≠ ${expected}`)

export const cost: Scenario[] = [
  {
    id: 'cost-meta',
    title: 'invokeDetailed says what the execution was billed and cost; map totals and costSnapshot() add up',
    async run({ cloud, capabilities, name }) {
      const fn = await cloud.deploy(echo, { name: name('cost') })
      const { meta } = await fn.invokeDetailed({ priced: true })
      assert.ok(Number.isInteger(meta.billedMs) && meta.billedMs >= 1, `billedMs ${meta.billedMs} is a whole number of ms`)
      const reported = capabilities.billedDuration === 'reported'
      // An estimate rounds the measured duration up; a cloud's own figure may also count what the shim cannot see (init).
      if (!reported) assert.ok(meta.billedMs >= meta.durationMs, `billedMs ${meta.billedMs} < durationMs ${meta.durationMs}`)
      const { usd, breakdown, assumptions } = meta.cost
      assert.ok(breakdown.compute >= 0 && breakdown.requests >= 0, 'no negative charges')
      same(usd, breakdown.compute + breakdown.requests, 'usd is compute + requests')
      const how = reported ? 'billed duration reported' : 'billed duration estimated'
      assert.ok(
        assumptions.some((text) => text.startsWith(how)),
        `the assumptions say how billedMs was found (${how}): ${assumptions.join('; ')}`,
      )
      const progress: number[] = []
      const results = await fn.map([1, 2, 3], { concurrency: 2, onProgress: (p) => progress.push(p.costUsd) })
      assert.ok(
        results.every((result) => result.ok),
        'every input ran',
      )
      const mapTotal = results.reduce((total, result) => total + result.costUsd, 0)
      same(progress.at(-1) ?? Number.NaN, mapTotal, 'the last progress carries the map total')
      same(Math.max(...results.map((result) => result.totalUsd)), mapTotal, 'the last result carries the map total')
      const snapshot = fn.costSnapshot()
      assert.equal(snapshot.invocations, 4)
      same(snapshot.usd, usd + mapTotal, 'costSnapshot() is what the handle ran')
      assert.ok(cloud.costSnapshot().usd >= snapshot.usd, 'the cloud counts every handle')
      await fn.remove()
    },
  },
]
