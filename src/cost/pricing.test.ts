/**
 * Each cloud's billing rule against the figures its published pricing page
 * gives (within 1 %, as the page rounds), and the core's arithmetic: rounding,
 * minimums, free tiers, overrides.
 */
import { describe, expect, it } from 'vitest'
import { AWS_LAMBDA_PRICES, lambdaBillingRule } from '../../providers/aws/pricing.ts'
import { AZURE_FLEX_PRICES, flexBillingRule } from '../../providers/azure/pricing.ts'
import { cloudRunBillingRule, defaultVcpu, GCP_CLOUD_RUN_PRICES } from '../../providers/gcp/pricing.ts'
import { billExecution, CostLedger, FREE_TIER_LEFT_OUT, NO_CHARGE_RULE } from './index.ts'
import { withPriceOverrides } from './override.ts'

/** Within 1 % of a published figure. */
const near = (actual: number, published: number) => expect(Math.abs(actual - published) / published).toBeLessThan(0.01)

describe('AWS Lambda (https://aws.amazon.com/lambda/pricing/)', () => {
  it('Example 1, mobile application backend: 3M requests of 120 ms at 1536 MB on Arm cost $7.20 + $0.60 = $7.80 a month', () => {
    const rule = lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 1536, architecture: 'arm64' })
    const one = billExecution(rule, { durationMs: 119.2, billedMs: 120 })
    expect(one.billedMs).toBe(120)
    near(one.cost.breakdown.compute * 3_000_000, 7.2)
    near(one.cost.breakdown.requests * 3_000_000, 0.6)
    near(one.cost.usd * 3_000_000, 7.8)
  })

  it('the price per 1 ms table: x86 128 MB $0.0000000021, 1024 MB $0.0000000167, 10240 MB $0.0000001667; Arm 1024 MB $0.0000000133', () => {
    const perMs = (memoryMb: number, architecture: 'x86_64' | 'arm64') =>
      billExecution(lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb, architecture }), { durationMs: 1, billedMs: 1 }).cost
        .breakdown.compute
    near(perMs(128, 'x86_64'), 0.0000000021)
    near(perMs(1024, 'x86_64'), 0.0000000167)
    near(perMs(10240, 'x86_64'), 0.0000001667)
    near(perMs(1024, 'arm64'), 0.0000000133)
  })

  it('without a reported figure the duration is rounded up to the next 1 ms ("a 1.0001 ms function is billed as 2 ms")', () => {
    const rule = lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 128, architecture: 'x86_64' })
    expect(billExecution(rule, { durationMs: 1.0001 }).billedMs).toBe(2)
    expect(billExecution(rule, { durationMs: 0 }).billedMs).toBe(1)
    expect(billExecution(rule, { durationMs: 1.0001 }).cost.assumptions).toContain(
      'billed duration estimated: the measured duration rounded up to 1 ms',
    )
    expect(billExecution(rule, { durationMs: 5, billedMs: 7 }).cost.assumptions).toContain(
      'billed duration reported by the cloud',
    )
  })

  it('an unknown architecture is priced as x86_64 and says so', () => {
    const rule = lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 128, architecture: undefined })
    expect(rule.compute[0]?.usdPerUnitSecond).toBe(AWS_LAMBDA_PRICES.usdPerGbSecond.x86_64)
    expect(rule.assumptions[0]).toBe('128 MB, x86_64 (architecture not known to this process: priced as x86_64)')
  })
})

describe('GCP Cloud Functions 2nd gen, billed as Cloud Run (https://cloud.google.com/run/pricing)', () => {
  it('bills vCPU-seconds and GiB-seconds "rounded up to the nearest 100 millisecond", plus $0.40 per million requests', () => {
    const rule = cloudRunBillingRule(GCP_CLOUD_RUN_PRICES, { memoryMb: 2048 })
    const one = billExecution(rule, { durationMs: 101 })
    expect(one.billedMs).toBe(200)
    // 1 vCPU and 2 GiB for 0.2 s.
    near(one.cost.breakdown.compute, 0.2 * 0.000024 + 0.2 * 2 * 0.0000025)
    near(one.cost.breakdown.requests, 0.0000004)
    expect(billExecution(rule, { durationMs: 3 }).billedMs).toBe(100)
  })

  it('"a GiB-second means running a 1 gibibyte instance for 1 second, or a 256 mebibyte instance for 4 seconds"', () => {
    const gib = (memoryMb: number, durationMs: number) =>
      billExecution(cloudRunBillingRule(GCP_CLOUD_RUN_PRICES, { memoryMb }), { durationMs }).usage.find(
        (line) => line.meter === 'cloud-run:gib-second',
      )?.units
    expect(gib(1024, 1000)).toBe(1)
    expect(gib(256, 4000)).toBe(1)
  })

  it('worked example (cloudwebschool.com Cloud Run calculator, Tier 1 request-based prices): 10M requests of 200 ms, 512 MB, 1 vCPU', () => {
    // The page's lines after its free tier: 1.64M vCPU-s $39.36, 820K GB-s $2.05, 8M requests $3.20.
    // Before any free tier the same rates give 2M vCPU-s, 1M GiB-s and 10M requests.
    const rule = cloudRunBillingRule(GCP_CLOUD_RUN_PRICES, { memoryMb: 512, vcpu: 1 })
    const one = billExecution(rule, { durationMs: 200 })
    const [cpu, memory] = one.usage
    near((cpu?.usd ?? 0) * 10_000_000, 48)
    near((memory?.usd ?? 0) * 10_000_000, 2.5)
    near(one.cost.breakdown.requests * 10_000_000, 4)
    near((39.36 / 1_640_000) * 1, GCP_CLOUD_RUN_PRICES.usdPerVcpuSecond)
    near(2.05 / 820_000, GCP_CLOUD_RUN_PRICES.usdPerGibSecond)
    near(3.2 / 8_000_000, GCP_CLOUD_RUN_PRICES.usdPerRequest)
  })

  it('the default vCPU follows the memory table of https://cloud.google.com/functions/docs/configuring/memory', () => {
    expect([128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768].map(defaultVcpu)).toEqual([
      0.083, 0.167, 0.333, 0.583, 1, 2, 2, 4, 8,
    ])
    expect(defaultVcpu(300)).toBe(0.333)
  })
})

describe('Azure Functions Flex Consumption, on demand (https://azure.microsoft.com/pricing/details/functions/)', () => {
  it('bills the instance memory (2048 MB) for at least 1000 ms at $0.000026 per GB-s, plus $0.40 per million executions', () => {
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    const short = billExecution(rule, { durationMs: 200 })
    expect(short.billedMs).toBe(1000)
    near(short.cost.breakdown.compute, 2 * 1 * 0.000026)
    near(short.cost.breakdown.requests, 0.0000004)
    // Past 1,000 ms, rounded up to 100 ms (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan, "Billing").
    const long = billExecution(rule, { durationMs: 2500.2 })
    expect(long.billedMs).toBe(2600)
    near(long.cost.breakdown.compute, 2 * 2.6 * 0.000026)
  })

  it('a month of 3M one-second executions on 2048 MB instances: 6,000,000 GB-s × $0.000026 + 3M × $0.40/M, free grant subtracted on request', () => {
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    const one = billExecution(rule, { durationMs: 1000 })
    near(one.cost.breakdown.compute * 3_000_000, 156)
    near(one.cost.breakdown.requests * 3_000_000, 1.2)
    // The free grant on a smaller sample: 100,000 GB-s are 50,000 such executions.
    const ledger = new CostLedger()
    for (let i = 0; i < 60_000; i++) ledger.add(one, rule.freeTier)
    const free = ledger.snapshot({ freeTier: true })
    near(free.breakdown.compute, 20_000 * 0.000026)
    expect(free.breakdown.requests).toBe(0)
    expect(free.freeTierApplied).toBe(true)
    expect(free.assumptions).not.toContain(FREE_TIER_LEFT_OUT)
    const all = ledger.snapshot()
    near(all.breakdown.compute, 120_000 * 0.000026)
    expect(all.assumptions).toContain(FREE_TIER_LEFT_OUT)
    expect(all.invocations).toBe(60_000)
    expect(all.billedMs).toBe(60_000_000)
  })
})

describe('the core', () => {
  it('a backend without prices still reports billedMs (1 ms rounding) and a cost of 0 that says why', () => {
    const billed = billExecution(NO_CHARGE_RULE, { durationMs: 2.4 })
    expect(billed.billedMs).toBe(3)
    expect(billed.cost).toEqual({
      usd: 0,
      breakdown: { compute: 0, requests: 0 },
      assumptions: [
        'billed duration estimated: the measured duration rounded up to 1 ms',
        FREE_TIER_LEFT_OUT,
        'no cloud charge: the backend declares no prices',
      ],
    })
  })

  it('a snapshot is the sum of what was added', () => {
    const rule = lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 512, architecture: 'x86_64' })
    const ledger = new CostLedger()
    const runs = [3, 250, 1200].map((billedMs) => billExecution(rule, { durationMs: billedMs, billedMs }))
    for (const run of runs) ledger.add(run, rule.freeTier)
    const snapshot = ledger.snapshot()
    near(
      snapshot.usd,
      runs.reduce((sum, run) => sum + run.cost.usd, 0),
    )
    near(
      snapshot.breakdown.compute,
      runs.reduce((sum, run) => sum + run.cost.breakdown.compute, 0),
    )
    expect(snapshot.billedMs).toBe(1453)
    expect(snapshot.invocations).toBe(3)
  })

  it('prices can be overridden, checked against the default table', () => {
    const mine = withPriceOverrides(AWS_LAMBDA_PRICES, { usdPerRequest: 0.0000003 }, 'settings.pricing')
    expect(mine.usdPerRequest).toBe(0.0000003)
    expect(mine.usdPerGbSecond).toBe(AWS_LAMBDA_PRICES.usdPerGbSecond)
    expect(() => withPriceOverrides(AWS_LAMBDA_PRICES, { usdPerReqest: 1 }, 'settings.pricing')).toThrow(
      /settings\.pricing\.usdPerReqest/,
    )
    expect(() => withPriceOverrides(AWS_LAMBDA_PRICES, { usdPerRequest: -1 }, 'settings.pricing')).toThrow(/0 or more/)
    expect(() => withPriceOverrides(AWS_LAMBDA_PRICES, { usdPerGbSecond: { arm64: 1 } }, 'settings.pricing')).toThrow(
      /settings\.pricing\.usdPerGbSecond\.x86_64/,
    )
  })
})
