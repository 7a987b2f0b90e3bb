import { type CloudfnError, defineFunction, type FunctionError } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { echo } from '../../conformance/fixtures/functions.ts'
import { gated, newGate } from '../../conformance/fixtures/recorders.ts'
import { observeResults } from '../../conformance/same-results.ts'
import { chatty, exits } from '../../test/fixtures/behaviours.ts'
import { local } from '../local/index.ts'
import { emulatorForFile } from './__fixtures__/emulator.ts'

// Two instances per function, so concurrency throttling is easy to reach.
const { emulator, cloud: cloudWith } = emulatorForFile({
  region: 'eu-west-1',
  maxConcurrency: 2,
  stateDelayMs: 5,
  updateDelayMs: 5,
  asyncRetryDelayMs: 5,
  throttleRetryAfterSec: 0,
})
const { state, faults } = emulator
const cloud = cloudWith({ maxDelayMs: 20, maxAttempts: 10 })
// Retries until the emulator is ready, however long that takes on a loaded machine (the test's timeout is the guard).
const patient = cloudWith({ maxDelayMs: 20, maxAttempts: 100 })
const once = cloudWith({ maxAttempts: 1 })
const calls = (operation: string) => state.requestsByOperation.get(operation) ?? 0

describe('aws provider: invoke', () => {
  it('gives the same results and errors as the local fake for the same inputs', async () => {
    expect(await observeResults(cloud)).toEqual(await observeResults(local({ isolation: 'worker' })))
  })

  it('retries a throttled invoke and runs the function exactly once', async () => {
    const fn = await cloud.deploy(echo, { name: 'throttled' })
    faults.inject({ on: 'Invoke', kind: 'throttle', times: 2, retryAfterSec: 0 })
    const before = calls('Invoke')
    expect(await fn.invoke({ n: 1 })).toEqual({ n: 1 })
    expect(calls('Invoke') - before).toBe(3)
    expect(state.executions.get('throttled')).toBe(1)
    await fn.remove()
  })

  it('reports Throttled with Retry-After when the retries run out, and the function did not run', async () => {
    await cloud.deploy(echo, { name: 'always-throttled' })
    const fn = await once.get('always-throttled')
    faults.inject({ on: 'Invoke', kind: 'throttle', retryAfterSec: 3 })
    expect(await caughtError(fn.invoke(1))).toMatchObject({ code: 'Throttled', retryAfterMs: 3000, isRetryable: true })
    expect(state.executions.get('always-throttled') ?? 0).toBe(0)
    await fn.remove()
  })

  it('never executes a synchronous invoke twice: a reset after the run or a 5xx surfaces', async () => {
    const fn = await cloud.deploy(echo, { name: 'never-twice' })
    faults.inject({ on: 'Invoke', kind: 'fail-after-run' })
    const before = calls('Invoke')
    const reset = await caughtError(fn.invoke('a'))
    expect(reset).toMatchObject({ code: 'ProviderError', notExecuted: false })
    expect(reset.message).toMatch(/may have run/)
    expect(calls('Invoke') - before).toBe(1)
    expect(state.executions.get('never-twice')).toBe(1)
    faults.inject({ on: 'Invoke', kind: 'server-error', status: 502 })
    expect(await caughtError(fn.invoke('b'))).toMatchObject({ code: 'ProviderError', status: 502 })
    expect(calls('Invoke') - before).toBe(2)
    expect(state.executions.get('never-twice')).toBe(1)
    await fn.remove()
  })

  it('answers concurrency throttling with Throttled, and retries it until an instance is free', async () => {
    // The two that run hold their instances until the test opens the gate: no timing decides who is throttled.
    await cloud.deploy(gated, { name: 'busy' })
    const strictBusy = await once.get<{ gate: string; tag: string }, string>('busy')
    const gate = newGate()
    let refused = 0
    const settling = Promise.allSettled(
      ['a', 'b', 'c'].map((tag) =>
        strictBusy.invoke({ gate: gate.path, tag }).catch((error: unknown) => {
          refused++
          throw error
        }),
      ),
    )
    while (refused === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    gate.open()
    const settled = await settling
    const codes = settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as CloudfnError).code))
    expect(codes.filter((c) => c === 'Throttled')).toHaveLength(1)
    expect(state.executions.get('busy')).toBe(2)
    const retrying = await patient.get<{ gate: string; tag: string }, string>('busy')
    expect(await Promise.all(['d', 'e', 'f'].map((tag) => retrying.invoke({ gate: gate.path, tag })))).toEqual(['d', 'e', 'f'])
    expect(state.executions.get('busy')).toBe(5)
    await retrying.remove()
  })

  it('reports a crash or an init error as FunctionError with the remote name and message', async () => {
    const fn = await cloud.deploy(exits)
    const crash = await caughtError(fn.invoke({ exit: true }))
    expect(crash).toMatchObject({ code: 'FunctionError', remoteName: 'Runtime.ExitError' })
    expect((crash as FunctionError).remoteMessage).toMatch(/Runtime exited with error: exit status 3/)
    expect(await fn.invokeDetailed({ exit: false })).toMatchObject({ value: 'alive', meta: { coldStart: true } })
    await fn.remove()

    const broken = defineFunction({
      name: 'broken-init',
      handler: () => 'never',
      entry: new URL('../../test/fixtures/broken-init.ts', import.meta.url).pathname,
      exportName: 'brokenInit',
    })
    const brokenFn = await cloud.deploy(broken)
    expect(await caughtError(brokenFn.invoke(null))).toMatchObject({
      code: 'FunctionError',
      remoteName: 'ConfigMissing',
      remoteMessage: 'REQUIRED_SETTING is not set',
    })
    await brokenFn.remove()
  })

  it("returns the execution's own log lines with logs: true", async () => {
    const fn = await cloud.deploy(chatty)
    const { value, logs } = await fn.invokeDetailed({ lines: 2 }, { logs: true })
    expect(logs).toEqual([
      { timestamp: expect.any(String), executionId: value, level: 'info', message: 'line 0' },
      { timestamp: expect.any(String), executionId: value, level: 'info', message: 'line 1' },
      { timestamp: expect.any(String), executionId: value, level: 'log', message: 'multi\nline' },
    ])
    // Only the last 4 KB come back with the answer; CloudWatch Logs has everything.
    const long = await fn.invokeDetailed({ lines: 400 }, { logs: true })
    expect(long.logs?.length).toBeLessThan(400)
    expect(long.logs?.at(-1)?.message).toBe('multi\nline')
    const all = await fn.logs({ since: new Date(Date.now() - 60_000) })
    expect(all.filter((entry) => entry.executionId === long.value)).toHaveLength(401)
    expect(await fn.logs({ limit: 2 })).toHaveLength(2)
    await fn.remove()
  })

  it('gives an empty log list for a function that never ran, NotFound for a missing one', async () => {
    const fn = await cloud.deploy(echo, { name: 'quiet' })
    expect(await fn.logs()).toEqual([])
    await fn.remove()
    expect(await caughtError(fn.logs())).toMatchObject({ code: 'NotFound' })
  })

  it('retries an asynchronous invoke the function was not ready to take, like a synchronous one', async () => {
    const fn = await patient.deploy(echo, { name: 'not-ready-async' })
    const emulated = state.functions.get('not-ready-async')
    if (!emulated) throw new Error('no function')
    // Back to Pending for a moment, as right after a create: Lambda answers 409 and runs nothing.
    emulated.state = 'Pending'
    emulated.activeAt = Number.POSITIVE_INFINITY
    const before = calls('Invoke')
    const queued = fn.invokeAsync({ queued: true })
    // Active again once Lambda has refused the invoke at least once, however slow the machine.
    while (calls('Invoke') === before) await new Promise((resolve) => setTimeout(resolve, 1))
    emulated.activeAt = 0
    await queued
    await emulator.idle()
    expect(calls('Invoke') - before).toBeGreaterThan(1)
    expect(state.executions.get('not-ready-async')).toBe(1)
    await fn.remove()
  })

  it('queues asynchronous invocations; Lambda retries a failed one twice', async () => {
    const fn = await cloud.deploy(exits, { name: 'queued' })
    const { executionId } = await fn.invokeAsync({ exit: false })
    expect(executionId).toMatch(/^[0-9a-f-]{36}$/)
    await emulator.idle()
    expect(state.executions.get('queued')).toBe(1)
    await fn.invokeAsync({ exit: true })
    await emulator.idle()
    expect(state.executions.get('queued')).toBe(4)
    const before = state.requestCount
    expect(await caughtError(fn.invokeAsync('x'.repeat(1024 * 1024) as never))).toMatchObject({
      code: 'PayloadTooLarge',
      limitBytes: 1048576,
    })
    expect(state.requestCount).toBe(before)
    await fn.remove()
  })

  it('maps a missing function to NotFound on invoke', async () => {
    const fn = await cloud.deploy(echo, { name: 'gone' })
    await fn.remove()
    expect(await caughtError(fn.invoke(1))).toMatchObject({ code: 'NotFound', resource: 'gone' })
    expect(await caughtError(fn.invokeAsync(1))).toMatchObject({ code: 'NotFound' })
  })
})
