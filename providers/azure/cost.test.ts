/** What an Azure execution cost: Flex on-demand bills the instance's memory, at least 1000 ms, per execution. */
import { describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { billExecution } from '../../src/cost/index.ts'
import { withOverrides } from '../../src/define.ts'
import { kitPerTest, SUBSCRIPTION } from './__fixtures__/test-kit.ts'
import { azure } from './index.ts'
import { AZURE_FLEX_PRICES, flexBillingRule } from './pricing.ts'

const startKit = kitPerTest()

describe('azure provider: billed duration and cost', () => {
  it('bills the 2048 MB instance a 512 MB function runs on, for at least 1000 ms, rounded up to 100 ms', async () => {
    const kit = startKit()
    expect(kit.cloud.capabilities.billedDuration).toBe('estimated')
    const fn = await kit.cloud.deploy(withOverrides(echo, { memoryMb: 512 }), { name: 'cost-flex' })
    const { meta } = await fn.invokeDetailed({ a: 1 })
    expect(meta.billedMs).toBe(Math.max(1000, Math.ceil(meta.durationMs / 100) * 100))
    expect(meta.cost.breakdown.compute).toBeCloseTo((meta.billedMs / 1000) * 2 * 0.000026, 15)
    expect(meta.cost.breakdown.requests).toBeCloseTo(0.0000004, 15)
    expect(meta.cost.assumptions).toContain('on-demand instance of 2048 MB')
    await fn.remove()
  })

  it('rounds as the Flex Consumption page says: at least 1,000 ms, then up to the nearest 100 ms', () => {
    // https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan, "Billing".
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    expect([1, 999, 1000, 1000.5, 1050, 2401].map((durationMs) => billExecution(rule, { durationMs }).billedMs)).toEqual([
      1000, 1000, 1000, 1100, 1100, 2500,
    ])
  })

  it('reproduces the Flex Consumption worked example of "Estimating consumption-based costs" within 1%', () => {
    // https://learn.microsoft.com/azure/azure-functions/functions-consumption-costs (Flex Consumption tab):
    // 2,048 MB instances, 40 requests a second, no free grant. An instance continuously active for an hour is
    // 2 GB × 3600 s = 7200 GB-s = $0.1872; 40 × 3600 = 144,000 executions = $0.0576. CPU-bound (10 instances):
    // $1.872 + $0.0576 = $1.9296 an hour; IO-bound (one instance): $0.1872 + $0.0576 = $0.245 an hour.
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    const instanceHour = billExecution(rule, { durationMs: 3_600_000 })
    const executions = 40 * 3600
    const executionCharge = billExecution(rule, { durationMs: 1 }).cost.breakdown.requests * executions
    const within1Percent = (actual: number, expected: number) =>
      expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(0.01)
    within1Percent(instanceHour.cost.breakdown.compute, 0.1872)
    within1Percent(executionCharge, 0.0576)
    within1Percent(10 * instanceHour.cost.breakdown.compute + executionCharge, 1.9296)
    within1Percent(instanceHour.cost.breakdown.compute + executionCharge, 0.245)
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
