import { type CloudfnError, createCloud, defineFunction, FunctionError } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { gated, newGate } from '../../conformance/fixtures/recorders.ts'
import { observeResults } from '../../conformance/same-results.ts'
import { envWriter, exits, replacement } from '../../test/fixtures/behaviours.ts'
import { createLocalProvider, local } from './index.ts'

describe('local provider', () => {
  it('rejects unknown settings', () => {
    expect(() => local({ isolation: 'thread' as never })).toThrow(/settings.isolation must be 'inline' or 'worker'/)
    expect(() => local({ maxInstance: 2 } as never)).toThrow(/settings.maxInstance is not a known option/)
  })

  it('inline and worker give identical results and errors for identical inputs', async () => {
    expect(await observeResults(local({ isolation: 'worker' }))).toEqual(await observeResults(local({ isolation: 'inline' })))
  })
})

describe.each(['inline', 'worker'] as const)('local provider (%s)', (isolation) => {
  it('refuses calls beyond maxInstances with Throttled; the client retries them', async () => {
    const provider = createLocalProvider({ isolation, maxInstances: 1 })
    const noRetry = createCloud(provider, { retry: { maxAttempts: 1 } })
    // 'a' holds the one instance until the gate opens, however slow the machine: 'b' meets it busy.
    const fn = await noRetry.deploy(gated, { name: 'slow' })
    const gate = newGate()
    const a = fn.invoke({ gate: gate.path, tag: 'a' })
    while (provider.store.executions.get('slow') !== 1) await new Promise((resolve) => setTimeout(resolve, 1))
    const b = await fn.invoke({ gate: gate.path, tag: 'b' }).catch((error: CloudfnError) => error.code)
    gate.open()
    expect([await a, b]).toEqual(['a', 'Throttled'])
    expect(provider.store.executions.get('slow')).toBe(1)

    // 'c' holds the instance until 'd' has been refused at least once; the client retries 'd' until it runs.
    const retrying = createCloud(provider, { retry: { maxAttempts: 100, baseDelayMs: 1, maxDelayMs: 20 } })
    const handle = await retrying.get<{ gate: string; tag: string }, string>('slow')
    const second = newGate()
    const invokes = () => provider.store.requestsByOperation.get('invoke') ?? 0
    const before = invokes()
    const both = Promise.all([handle.invoke({ gate: second.path, tag: 'c' }), handle.invoke({ gate: second.path, tag: 'd' })])
    while (invokes() - before < 3) await new Promise((resolve) => setTimeout(resolve, 1))
    second.open()
    expect(await both).toEqual(['c', 'd'])
    expect(provider.store.executions.get('slow')).toBe(3)
    await fn.remove()
  })

  it("keeps each instance's env to itself and leaves the host's alone", async () => {
    const hostPath = process.env.PATH
    const cloud = local({ isolation, maxInstances: 1 })
    const fn = await cloud.deploy(envWriter)
    expect(await fn.invoke(null)).toEqual({ count: '1', hostPath: null })
    expect(await fn.invoke(null)).toEqual({ count: '2', hostPath: null })
    expect(process.env.COUNT).toBeUndefined()
    expect(process.env.PATH).toBe(hostPath)
    await fn.remove()
  })

  it('lets calls in flight finish on the old code during an update', async () => {
    const provider = createLocalProvider({ isolation })
    const cloud = createCloud(provider)
    const fn = await cloud.deploy(gated, { name: 'swap' })
    const gate = newGate()
    const inFlight = fn.invoke({ gate: gate.path, tag: 'old code' })
    // The call is running (not merely sent) before the update, and still running during it.
    while (provider.store.executions.get('swap') !== 1) await new Promise((resolve) => setTimeout(resolve, 1))
    await cloud.deploy(replacement, { name: 'swap' })
    gate.open()
    expect(await inFlight).toBe('old code')
    expect(await fn.invoke({ gate: gate.path, tag: 'x' })).toBe('new code')
    await fn.remove()
  })
})

describe('local provider (worker only)', () => {
  it('reports a process exit as a FunctionError and starts a fresh instance next time', async () => {
    const cloud = local({ isolation: 'worker' })
    const fn = await cloud.deploy(exits)
    const error = await fn.invoke({ exit: true }).catch((e: unknown) => e)
    expect(FunctionError.isInstance(error) && error.remoteMessage).toBe(
      "The function's process exited with code 3 before answering",
    )
    const next = await fn.invokeDetailed({ exit: false })
    expect(next).toMatchObject({ value: 'alive', meta: { coldStart: true } })
    await fn.remove()
  })

  it("does not count the module's load against the function's timeout (a cloud's Init phase is not part of it)", async () => {
    const { slowInit } = await import('../../test/fixtures/slow-init.ts')
    const fn = await local({ isolation: 'worker' }).deploy(slowInit)
    // The module blocks 4 s while it loads, more than its 3 s timeout; the handler answers at once.
    const { value, meta } = await fn.invokeDetailed(undefined as never)
    expect(meta.coldStart).toBe(true)
    expect(value).toMatchObject({ coldStart: true })
    // The deadline starts when the instance takes the call, after the load: time is left.
    expect((value as { remainingMs: number }).remainingMs).toBeGreaterThan(0)
    await fn.remove()
  })

  it('reports an error thrown while the module loads as a FunctionError', async () => {
    const { brokenInit } = await import('../../test/fixtures/broken-init.ts').catch(() => ({ brokenInit: undefined }))
    // The module throws here too (no REQUIRED_SETTING), so point a definition at it by path.
    expect(brokenInit).toBeUndefined()
    const definition = defineFunction({
      name: 'broken-init',
      handler: () => 'never',
      entry: new URL('../../test/fixtures/broken-init.ts', import.meta.url).pathname,
      exportName: 'brokenInit',
    })
    const fn = await local({ isolation: 'worker' }).deploy(definition)
    const error = await fn.invoke(null).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'FunctionError',
      remoteName: 'ConfigMissing',
      remoteMessage: 'REQUIRED_SETTING is not set',
    })
    await fn.remove()
  })
})

describe('local provider persistence', () => {
  it('lets another process (another provider on the same folder) invoke, list, log and remove', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'cloudfn-persist-'))
    try {
      const first = local({ isolation: 'worker', persistDir: dir })
      const deployed = await first.deploy(echo, { name: 'kept' })
      expect(await deployed.invoke({ from: 'first' })).toEqual({ from: 'first' })

      const second = local({ isolation: 'worker', persistDir: dir })
      expect((await second.list()).map((record) => record.name)).toEqual(['kept'])
      const handle = await second.get('kept')
      expect(handle.codeHash).toBe(deployed.codeHash)
      expect(await handle.invoke({ from: 'second' })).toEqual({ from: 'second' })
      expect((await second.deploy(echo, { name: 'kept' })).status).toBe('unchanged')
      expect(await handle.remove()).toEqual({ removed: true })

      const third = local({ isolation: 'worker', persistDir: dir })
      expect(await third.list()).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses persistence for inline isolation', () => {
    expect(() => local({ persistDir: '.cloudfn' })).toThrow(/settings.persistDir needs isolation 'worker'/)
  })
})
