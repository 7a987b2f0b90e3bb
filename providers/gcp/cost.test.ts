/** What a GCP execution cost: Cloud Run's rule applied to the measured duration (Cloud Run reports no billed time per request). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { billExecution } from '../../src/cost/index.ts'
import { withOverrides } from '../../src/define.ts'
import { startEmulated } from './__fixtures__/setup.ts'
import { createGcpProvider, gcp } from './index.ts'
import { cloudRunBillingRule, GCP_CLOUD_RUN_PRICES } from './pricing.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

describe('gcp provider: billed duration and cost', () => {
  it('estimates billedMs as Cloud Run rounds (up to 100 ms) and prices the memory with its default vCPU', async () => {
    const cloud = env.cloudWith()
    expect(cloud.capabilities.billedDuration).toBe('estimated')
    const fn = await cloud.deploy(withOverrides(echo, { memoryMb: 512 }), { name: 'cost-gcp' })
    const { meta } = await fn.invokeDetailed({ a: 1 })
    expect(meta.billedMs % 100).toBe(0)
    expect(meta.billedMs).toBeGreaterThanOrEqual(Math.max(100, meta.durationMs))
    expect(meta.cost).toEqual(
      billExecution(cloudRunBillingRule(GCP_CLOUD_RUN_PRICES, { memoryMb: 512 }), { durationMs: meta.durationMs }).cost,
    )
    // 0.333 vCPU and 0.5 GiB for the billed time, plus one request.
    expect(meta.cost.breakdown.compute).toBeCloseTo((meta.billedMs / 1000) * (0.333 * 0.000024 + 0.5 * 0.0000025), 15)
    expect(meta.cost.assumptions).toContain('512 MiB with 0.333 vCPU (the default for that memory), request-based billing')
    await fn.remove()
  })

  it('counts GiB-seconds and vCPU-seconds as the Cloud Run pricing page defines them', () => {
    // https://cloud.google.com/run/pricing has no worked example of a bill (nor has
    // https://cloud.google.com/functions/pricing for 2nd gen: its examples are 1st gen, GHz-seconds). What it does
    // work out is the unit: "A GiB-second means for example running a 1 gibibyte instance for 1 second, or running
    // a 256 mebibyte instance for 4 seconds. The same principle applies for the vCPU-second unit."
    const units = (memoryMb: number, vcpu: number, durationMs: number) =>
      billExecution(cloudRunBillingRule(GCP_CLOUD_RUN_PRICES, { memoryMb, vcpu }), { durationMs }).usage
    const gib = (memoryMb: number, durationMs: number) =>
      units(memoryMb, 1, durationMs).find((line) => line.meter === 'cloud-run:gib-second')?.units
    expect(gib(1024, 1000)).toBeCloseTo(1, 12)
    expect(gib(256, 4000)).toBeCloseTo(1, 12)
    const vcpuSeconds = units(512, 0.25, 4000).find((line) => line.meter === 'cloud-run:vcpu-second')?.units
    expect(vcpuSeconds).toBeCloseTo(1, 12)
    // "rounded up to the nearest 100 millisecond": 260 ms is billed as 300 ms.
    expect(billExecution(cloudRunBillingRule(GCP_CLOUD_RUN_PRICES, { memoryMb: 512 }), { durationMs: 260 }).billedMs).toBe(300)
  })

  it('takes the user’s prices from settings.pricing, checked like any setting', async () => {
    expect(env.provider.billingRule?.(recordOf(256)).request.usd).toBe(GCP_CLOUD_RUN_PRICES.usdPerRequest)
    const mine = createGcpProvider({ project: 'my-project', region: 'us-central1', pricing: { usdPerRequest: 0 } })
    expect(mine.billingRule?.(recordOf(256)).request.usd).toBe(0)
    expect(() => gcp({ project: 'my-project', region: 'us-central1', pricing: { usdPerVcpu: 1 } as never })).toThrow(
      /settings\.pricing\.usdPerVcpu/,
    )
    expect(() => gcp({ project: 'my-project', region: 'us-central1', pricing: { roundUpToMs: -5 } })).toThrow(
      /settings\.pricing\.roundUpToMs must be a number of 0 or more/,
    )
  })
})

function recordOf(memoryMb: number) {
  return {
    name: 'x',
    provider: 'gcp',
    memoryMb,
    timeoutSec: 60,
    envKeys: [],
    codeHash: '',
    configHash: '',
    updatedAt: new Date(0).toISOString(),
  }
}
