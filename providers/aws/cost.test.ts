/**
 * What an AWS execution cost: the emulator writes Lambda's REPORT line as
 * Lambda does, the provider reads its Billed Duration into meta.billedMs,
 * and meta.cost prices it with the Lambda table (or the user's prices).
 */
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { withOverrides } from 'cloudfn'
import { zipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { echo, fail, sleep } from '../../conformance/fixtures/functions.ts'
import { billExecution } from '../../src/cost/index.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from './emulator/index.ts'
import { aws } from './index.ts'
import { AWS_LAMBDA_PRICES, lambdaBillingRule } from './pricing.ts'
import { billedMsFromTail } from './report-line.ts'

const region = 'eu-central-1'
const emulator = createAwsEmulator({ region, stateDelayMs: 0, updateDelayMs: 0 })
emulator.listen()
afterAll(() => emulator.close())

const settings = { region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2 }
const fast = { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 6 }

/**
 * The REPORT line's shape in Lambda's documented log output
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html, "Log format"): tab-separated fields in
 * this order, durations with two decimals, a trailing tab; Init Duration only on a cold start.
 */
const DOCUMENTED_REPORT =
  /^REPORT RequestId: ([0-9a-f-]{36})\tDuration: (\d+\.\d{2}) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(?:Init Duration: (\d+\.\d{2}) ms\t)?$/

describe('aws emulator: the REPORT line', () => {
  const lambda = new LambdaClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })

  it('is written as Lambda writes it, billing a cold start its Init Duration too (since 2025-08-01)', async () => {
    // Init blocks 30 ms (Atomics.wait: at least that long by any clock, unlike a timer that may fire a hair early),
    // so a bill that left init out would be at least 30 ms short.
    const code = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30)\nexport const handler = async () => 1'
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'report',
        Role: 'arn:aws:iam::123456789012:role/test',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: zipSync({ 'index.mjs': new TextEncoder().encode(code) }) },
      }),
    )
    const report = async () => {
      const output = await lambda.send(new InvokeCommand({ FunctionName: 'report', LogType: 'Tail' }))
      const lines = Buffer.from(output.LogResult ?? '', 'base64')
        .toString('utf8')
        .split('\n')
      expect(lines.at(-1)).toBe('')
      const match = DOCUMENTED_REPORT.exec(lines.at(-2) ?? '')
      expect(match, lines.at(-2)).not.toBeNull()
      const [, requestId, duration, billed, memory, , init] = match as RegExpExecArray
      expect(requestId).toBe(output.$metadata.requestId)
      expect(memory).toBe('128')
      return { duration: Number(duration), billed: Number(billed), init: init === undefined ? undefined : Number(init) }
    }
    const cold = await report()
    expect(cold.init).toBeGreaterThanOrEqual(30)
    expect(cold.billed).toBe(Math.max(1, Math.ceil(cold.duration + (cold.init ?? 0))))
    const warm = await report()
    expect(warm.init).toBeUndefined()
    expect(warm.billed).toBe(Math.max(1, Math.ceil(warm.duration)))
  })
})

describe('aws provider: billed duration and cost', () => {
  it('reads Billed Duration from the REPORT line of the execution it asked about', () => {
    const tail = [
      'START RequestId: 11111111-2222-3333-4444-555555555555 Version: $LATEST',
      'END RequestId: 11111111-2222-3333-4444-555555555555',
      'REPORT RequestId: 11111111-2222-3333-4444-555555555555\tDuration: 170.19 ms\tBilled Duration: 171 ms\tMemory Size: 128 MB\tMax Memory Used: 73 MB\tInit Duration: 10.18 ms\t',
      '',
    ].join('\n')
    expect(billedMsFromTail(tail, '11111111-2222-3333-4444-555555555555')).toBe(171)
    expect(billedMsFromTail(tail, 'another-request')).toBeUndefined()
    expect(billedMsFromTail('', 'x')).toBeUndefined()
  })

  it('meta.billedMs is the one Lambda reported and meta.cost prices it at the memory and architecture deployed', async () => {
    const cloud = aws({ ...settings, retry: fast })
    expect(cloud.capabilities.billedDuration).toBe('reported')
    const fn = await cloud.deploy(withOverrides(echo, { memoryMb: 512, providerOptions: { aws: { architecture: 'arm64' } } }), {
      name: 'cost-arm',
    })
    const { meta } = await fn.invokeDetailed({ hello: 1 })
    expect(Number.isInteger(meta.billedMs)).toBe(true)
    expect(meta.billedMs).toBeGreaterThanOrEqual(1)
    const expected = billExecution(lambdaBillingRule(AWS_LAMBDA_PRICES, { memoryMb: 512, architecture: 'arm64' }), {
      durationMs: meta.durationMs,
      billedMs: meta.billedMs,
    }).cost
    expect(meta.cost).toEqual(expected)
    expect(meta.cost.assumptions).toContain('billed duration reported by the cloud')
    expect(meta.cost.assumptions).toContain('512 MB, arm64')
    expect(meta.cost.breakdown.compute).toBeCloseTo((meta.billedMs / 1000) * 0.5 * 0.0000133334, 15)
    expect(meta.cost.breakdown.requests).toBeCloseTo(0.0000002, 15)
    // A handle from get() prices the architecture it reads back.
    expect((await (await cloud.get('cost-arm')).invokeDetailed({})).meta.cost.assumptions).toContain('512 MB, arm64')
    await fn.remove()
  })

  it('a failed execution is billed too, and costSnapshot() and the map total add up what ran', async () => {
    const cloud = aws({ ...settings, retry: fast })
    const ok = await cloud.deploy(echo, { name: 'cost-ok' })
    const bad = await cloud.deploy(fail, { name: 'cost-fail' })
    const first = await ok.invokeDetailed({ n: 0 })
    const progress: number[] = []
    const results = await ok.map([1, 2, 3], { onProgress: (p) => progress.push(p.costUsd) })
    const items = results.map((result) => result.costUsd)
    expect(items.every((usd) => usd > 0)).toBe(true)
    const mapTotal = items.reduce((sum, usd) => sum + usd, 0)
    expect(progress.at(-1)).toBeCloseTo(mapTotal, 15)
    expect(Math.max(...results.map((result) => result.totalUsd))).toBeCloseTo(mapTotal, 15)
    const snapshot = ok.costSnapshot()
    expect(snapshot.invocations).toBe(4)
    expect(snapshot.usd).toBeCloseTo(first.meta.cost.usd + mapTotal, 15)
    expect(await caughtError(bad.invoke({ message: 'no' }))).toMatchObject({ code: 'FunctionError' })
    expect(bad.costSnapshot().invocations).toBe(1)
    expect(bad.costSnapshot().usd).toBeGreaterThan(0)
    expect(cloud.costSnapshot().usd).toBeCloseTo(snapshot.usd + bad.costSnapshot().usd, 15)
    await ok.remove()
    await bad.remove()
  })

  it('a timed-out execution is billed its whole timeout', async () => {
    const cloud = aws({ ...settings, retry: fast })
    const fn = await cloud.deploy(sleep, { name: 'cost-timeout' })
    // Sleeps far past its 1 s timeout, so that no pause of a loaded machine lets it answer first.
    expect(await caughtError(fn.invoke({ ms: 60_000 }))).toMatchObject({ code: 'Timeout' })
    const snapshot = fn.costSnapshot()
    expect(snapshot.invocations).toBe(1)
    expect(snapshot.billedMs).toBe(1000)
    expect(snapshot.breakdown.compute).toBeCloseTo(1 * (fn.memoryMb / 1024) * 0.0000166667, 15)
    await fn.remove()
  })

  it('prices can be the user’s own (settings.pricing), checked like any setting', async () => {
    const cloud = aws({ ...settings, retry: fast, pricing: { usdPerRequest: 0, usdPerGbSecond: { x86_64: 1, arm64: 1 } } })
    const fn = await cloud.deploy(withOverrides(echo, { memoryMb: 1024 }), { name: 'cost-mine' })
    const { meta } = await fn.invokeDetailed({})
    expect(meta.cost.breakdown.requests).toBe(0)
    expect(meta.cost.breakdown.compute).toBeCloseTo(meta.billedMs / 1000, 12)
    await fn.remove()
    expect(() => aws({ ...settings, pricing: { usdPerInvoke: 1 } as never })).toThrow(/settings\.pricing\.usdPerInvoke/)
  })
})
