/**
 * What a handle's costSnapshot() counts of the paths that are not a
 * synchronous invoke: fetch() is priced from the round trip the client times
 * (the cloud's rule on that duration), and invokeAsync(), send() and
 * publish(), whose duration the client never sees, are counted as unpriced.
 * The clock is faked (performance.now), so the figures are exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AWS_LAMBDA_PRICES, lambdaBillingRule } from '../../providers/aws/pricing.ts'
import { AZURE_FLEX_PRICES, flexBillingRule } from '../../providers/azure/pricing.ts'
import { createCloud } from '../client.ts'
import { defineFunction } from '../define.ts'
import { ProviderError } from '../errors/provider-error.ts'
import type { FetchRequest } from '../provider.ts'
import { createMockProvider } from '../testing/index.ts'
import { http } from '../triggers/http.ts'
import { queue } from '../triggers/queue.ts'
import { topic } from '../triggers/topic.ts'
import { FETCH_MEASURED, FREE_TIER_LEFT_OUT, UNPRICED_NOTE } from './index.ts'
import type { BillingRule } from './types.ts'

const web = defineFunction({ name: 'web', trigger: http({ auth: 'public' }), handler: () => new Response('ok') })
const plain = defineFunction({ name: 'plain', handler: (input: number) => input })
const worker = defineFunction({ name: 'worker', trigger: queue(), handler: (message: number) => message })
const audit = defineFunction({ name: 'audit', trigger: topic({ name: 'orders' }), handler: (message: number) => message })

/** A mock cloud billed by `rule`, whose HTTP function takes `fetchMs` of the (fake) clock to answer. */
function pricedCloud(rule: BillingRule, fetchMs = 0, doFetch?: (request: FetchRequest) => Promise<Response>) {
  const mock = createMockProvider({
    doFetch:
      doFetch ??
      (async () => {
        vi.advanceTimersByTime(fetchMs)
        return new Response('ok')
      }),
  })
  return createCloud({ ...mock, billingRule: () => rule })
}

const NONE = { invokeAsync: 0, send: 0, publish: 0, fetch: 0 }

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('fetch(): priced from the round trip the client times', () => {
  it('Azure Flex: 1234 ms are billed as 1300 ms of a 2048 MB instance, plus one execution', async () => {
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    const cloud = pricedCloud(rule, 1234)
    const fn = await cloud.deploy(web)
    const response = await fn.fetch('/')
    expect(await response.text()).toBe('ok')
    const snapshot = fn.costSnapshot()
    expect(snapshot.invocations).toBe(1)
    expect(snapshot.billedMs).toBe(1300)
    const compute = 1.3 * 2 * 0.000026
    expect(snapshot.breakdown.compute).toBeCloseTo(compute, 15)
    expect(snapshot.breakdown.requests).toBeCloseTo(0.4 / 1_000_000, 18)
    expect(snapshot.usd).toBeCloseTo(compute + 0.4 / 1_000_000, 15)
    expect(snapshot.unpriced).toEqual(NONE)
    expect(snapshot.assumptions).toEqual([
      'USD prices for eastus read 2026-12-07 from https://azure.microsoft.com/pricing/details/functions/',
      'billed duration estimated: the measured duration rounded up to 100 ms, at least 1000 ms',
      FREE_TIER_LEFT_OUT,
      'on-demand instance of 2048 MB',
      'the execution alone on its instance: concurrent executions share the instance’s billed time, so this is an upper bound',
      FETCH_MEASURED,
    ])
    expect(cloud.costSnapshot().usd).toBe(snapshot.usd)
  })

  it('AWS: a cloud that reports billed time for invoke still estimates it for fetch (1 ms rounding), and says so', async () => {
    const rule = lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 256, architecture: 'arm64' })
    const fn = await pricedCloud(rule, 87).deploy(web)
    await fn.fetch('/a')
    await fn.fetch('/b')
    const snapshot = fn.costSnapshot()
    expect(snapshot.invocations).toBe(2)
    expect(snapshot.billedMs).toBe(174)
    expect(snapshot.breakdown.compute).toBeCloseTo(2 * 0.087 * 0.25 * 0.0000133334, 15)
    expect(snapshot.breakdown.requests).toBeCloseTo(2 * 0.0000002, 18)
    expect(snapshot.assumptions).toContain('billed duration estimated: the measured duration rounded up to 1 ms')
    expect(snapshot.assumptions).not.toContain('billed duration reported by the cloud')
    expect(snapshot.assumptions).toContain(FETCH_MEASURED)
  })

  it('a fetch that reached the cloud but got no answer is counted unpriced; one refused before sending is not counted', async () => {
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    let fault: Error = new ProviderError({ provider: 'mock', message: 'connection reset' })
    const fn = await pricedCloud(rule, 0, async () => {
      throw fault
    }).deploy(web)
    await expect(fn.fetch('/')).rejects.toThrow(/connection reset/)
    fault = new ProviderError({ provider: 'mock', message: 'refused before sending', notExecuted: true })
    await expect(fn.fetch('/')).rejects.toThrow(/refused before sending/)
    await expect(fn.fetch('https://elsewhere.invalid/')).rejects.toThrow(/under the function's url/)
    const aborted = new AbortController()
    aborted.abort()
    await expect(fn.fetch('/', { signal: aborted.signal })).rejects.toThrow()
    const snapshot = fn.costSnapshot()
    expect(snapshot.unpriced).toEqual({ ...NONE, fetch: 1 })
    expect(snapshot.invocations).toBe(0)
    expect(snapshot.usd).toBe(0)
    expect(snapshot.assumptions).toEqual([UNPRICED_NOTE])
    expect(snapshot.freeAllowances).toEqual({})
  })
})

describe('invokeAsync(), send(), publish(): counted, not priced', () => {
  it('each execution they start is in `unpriced` by path, on the handle and the cloud; the priced figures do not move', async () => {
    const rule = flexBillingRule(AZURE_FLEX_PRICES, { instanceMemoryMb: 2048 })
    const cloud = pricedCloud(rule)
    const direct = await cloud.deploy(plain)
    await direct.invoke(1)
    const priced = direct.costSnapshot()
    expect(priced.unpriced).toEqual(NONE)
    expect(priced.assumptions).not.toContain(UNPRICED_NOTE)
    await direct.invokeAsync(2)
    await direct.invokeAsync(3)
    const after = direct.costSnapshot()
    expect(after.unpriced).toEqual({ ...NONE, invokeAsync: 2 })
    expect({ usd: after.usd, invocations: after.invocations, billedMs: after.billedMs }).toEqual({
      usd: priced.usd,
      invocations: 1,
      billedMs: 1000,
    })
    expect(after.assumptions.at(-1)).toBe(UNPRICED_NOTE)

    const queued = await cloud.deploy(worker)
    await queued.send(4)
    const subscriber = await cloud.deploy(audit)
    await subscriber.publish(5)
    await subscriber.publish(6)
    expect(queued.costSnapshot().unpriced).toEqual({ ...NONE, send: 1 })
    expect(subscriber.costSnapshot().unpriced).toEqual({ ...NONE, publish: 2 })
    expect(cloud.costSnapshot().unpriced).toEqual({ invokeAsync: 2, send: 1, publish: 2, fetch: 0 })
    // A message published from outside is counted by the cloud (it runs every subscriber), not by a handle.
    await cloud.topic('orders').publish(7)
    expect(cloud.costSnapshot().unpriced.publish).toBe(3)
    expect(subscriber.costSnapshot().unpriced.publish).toBe(2)
    // A send the handle refuses (no queue trigger) started nothing.
    await expect((direct as unknown as typeof queued).send(7)).rejects.toThrow(/no queue trigger/)
    expect(cloud.costSnapshot().unpriced).toEqual({ invokeAsync: 2, send: 1, publish: 3, fetch: 0 })
  })
})

describe('free tiers', () => {
  it('a snapshot states the monthly allowance of each meter it counted, and subtracts it only when asked', async () => {
    const rule = lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 1024, architecture: 'x86_64' })
    const fn = await pricedCloud(rule, 1000).deploy(web)
    await fn.fetch('/')
    const snapshot = fn.costSnapshot()
    expect(snapshot.freeAllowances).toEqual({ 'aws-lambda:gb-second': 400_000, 'aws-lambda:request': 1_000_000 })
    expect(snapshot.freeTierApplied).toBe(false)
    expect(snapshot.usd).toBeCloseTo(0.0000166667 + 0.0000002, 15)
    const free = fn.costSnapshot({ freeTier: true })
    expect(free.usd).toBe(0)
    expect(free.freeTierApplied).toBe(true)
    expect(() => fn.costSnapshot({ includeFreeTier: true } as never)).toThrow(/options\.includeFreeTier/)
    // A backend without prices has no allowance to state.
    const unpricedCloud = createCloud(createMockProvider())
    const free0 = await unpricedCloud.deploy(plain)
    await free0.invoke(1)
    expect(free0.costSnapshot().freeAllowances).toEqual({})
  })
})
