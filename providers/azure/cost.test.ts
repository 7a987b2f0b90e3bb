/** What an Azure execution cost: Flex on-demand bills the instance's memory, at least 1000 ms, per execution. */
import { afterEach, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../src/define.ts'
import { type Kit, SUBSCRIPTION, startKit } from './__fixtures__/test-kit.ts'
import { azure } from './index.ts'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe('azure provider: billed duration and cost', () => {
  it('bills the 2048 MB instance a 512 MB function runs on, for at least 1000 ms', async () => {
    kit = startKit()
    expect(kit.cloud.capabilities.billedDuration).toBe('estimated')
    const fn = await kit.cloud.deploy(withOverrides(echo, { memoryMb: 512 }), { name: 'cost-flex' })
    const { meta } = await fn.invokeDetailed({ a: 1 })
    expect(meta.billedMs).toBe(Math.max(1000, Math.ceil(meta.durationMs)))
    expect(meta.cost.breakdown.compute).toBeCloseTo((meta.billedMs / 1000) * 2 * 0.000026, 15)
    expect(meta.cost.breakdown.requests).toBeCloseTo(0.0000004, 15)
    expect(meta.cost.assumptions).toContain('on-demand instance of 2048 MB')
    await fn.remove()
  })

  it('takes the user’s prices from settings.pricing, checked like any setting', () => {
    const base = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', location: 'westeurope' }
    expect(() => azure({ ...base, pricing: { minimumMs: 'soon' } as never })).toThrow(/settings\.pricing\.minimumMs/)
    expect(() => azure({ ...base, pricing: { freeTier: { gbSeconds: 1 } } as never })).toThrow(
      /settings\.pricing\.freeTier\.executions is missing/,
    )
    expect(() => azure({ ...base, pricing: { usdPerGbSecond: 0.00002 } })).not.toThrow()
  })
})
