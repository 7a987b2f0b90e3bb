import assert from 'node:assert/strict'
import { FETCH_MEASURED, UNPRICED_NOTE } from '../../src/cost/index.ts'
import { withOverrides } from '../../src/define.ts'
import type { InvocableFunctionHandle, InvokeMeta } from '../../src/handle.ts'
import { http } from '../../src/triggers/http.ts'
import { echo, httpEcho } from '../fixtures/functions.ts'
import type { Scenario, ScenarioContext } from '../scenario.ts'

/** Sums of floating-point dollars agree to far below a cent's billionth. */
const same = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-15 + 1e-9 * Math.abs(expected), `${what}: ${actual} ≠ ${expected}`)

export const cost: Scenario[] = [
  {
    id: 'cost-meta',
    title:
      'invokeDetailed says what the execution was billed and cost; map totals and costSnapshot() add up; fetch() is priced by the function’s rule on the round trip the client timed; invokeAsync() is counted unpriced',
    async run(context) {
      const { cloud, capabilities, name } = context
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
      await triggerPaths(context, fn, meta)
      await fn.remove()
    },
  },
]

/**
 * The paths that are not a synchronous invoke, checked against the rule `meta` was priced by (the HTTP fixture
 * has echo's memory): part of cost-meta so that a real cloud deploys one function more, not two.
 */
async function triggerPaths(
  { cloud, capabilities, name }: ScenarioContext,
  direct: InvocableFunctionHandle<unknown, unknown>,
  meta: InvokeMeta,
): Promise<void> {
  const none = { invokeAsync: 0, send: 0, publish: 0, fetch: 0 }
  const auth = capabilities.triggers.http?.auth
  if (auth) {
    const perMs = meta.cost.breakdown.compute / meta.billedMs
    const web = await cloud.deploy(
      auth.includes('public') ? httpEcho : withOverrides(httpEcho, { trigger: http({ auth: auth[0] }) }),
      { name: name('cost-web') },
    )
    const response = await web.fetch('/priced')
    assert.equal(response.status, 200)
    await response.arrayBuffer()
    const fetched = web.costSnapshot()
    assert.equal(fetched.invocations, 1, 'the fetch is one priced execution')
    assert.ok(Number.isInteger(fetched.billedMs) && fetched.billedMs >= 1, `billedMs ${fetched.billedMs}`)
    same(fetched.breakdown.requests, meta.cost.breakdown.requests, 'one request charge')
    same(fetched.breakdown.compute, perMs * fetched.billedMs, 'compute is the rule’s rate on the billed time')
    assert.ok(fetched.assumptions.includes(FETCH_MEASURED), `says how it was timed: ${fetched.assumptions.join('; ')}`)
    assert.ok(
      fetched.assumptions.some((text) => text.startsWith('billed duration estimated')),
      'a fetch’s billed time is always an estimate',
    )
    assert.deepEqual(fetched.unpriced, none)
    await web.remove()
  }
  if (capabilities.asyncInvoke) {
    const before = direct.costSnapshot()
    await direct.invokeAsync({ later: true })
    const after = direct.costSnapshot()
    assert.deepEqual(after.unpriced, { ...none, invokeAsync: 1 })
    assert.equal(after.invocations, before.invocations)
    same(after.usd, before.usd, 'an unpriced execution adds nothing to usd')
    assert.ok(after.assumptions.includes(UNPRICED_NOTE), 'and the snapshot says it undercounts')
  }
}
