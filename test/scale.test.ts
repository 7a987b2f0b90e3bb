import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CloudfnError, createCloud, defineFunction, InvalidArgumentError, withOverrides } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { gated, newGate } from '../conformance/fixtures/recorders.ts'
import { createLocalProvider, local } from '../providers/local/index.ts'
import { configChange } from '../src/plan.ts'
import { scaleChanges, scaleHashPart } from '../src/scale.ts'
import { createMockProvider } from '../src/testing/mock-provider.ts'

const noop = (name: string, extra: { maxInstances?: number; minInstances?: number } = {}) =>
  defineFunction({ name, handler: () => null, ...extra })

function fieldOf(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    return (error as InvalidArgumentError).field
  }
  throw new Error('expected an InvalidArgumentError')
}

describe('maxInstances / minInstances on the definition', () => {
  it('keeps what was given and leaves the rest to the cloud', () => {
    const fn = noop('scaled', { maxInstances: 3, minInstances: 1 })
    expect([fn.maxInstances, fn.minInstances]).toEqual([3, 1])
    expect([noop('plain').maxInstances, noop('plain').minInstances]).toEqual([undefined, undefined])
    expect(withOverrides(fn, { maxInstances: 5 }).maxInstances).toBe(5)
  })

  it('refuses values outside the portable range, naming the field', () => {
    expect(fieldOf(() => noop('a', { maxInstances: 0 }))).toBe('maxInstances')
    expect(fieldOf(() => noop('a', { maxInstances: 1001 }))).toBe('maxInstances')
    expect(fieldOf(() => noop('a', { maxInstances: 1.5 }))).toBe('maxInstances')
    expect(fieldOf(() => noop('a', { minInstances: -1 }))).toBe('minInstances')
    expect(fieldOf(() => noop('a', { maxInstances: 2, minInstances: 3 }))).toBe('minInstances')
  })
})

describe('scale against a provider', () => {
  it("refuses a value outside the provider's range before anything is sent", async () => {
    const provider = createMockProvider({ capabilities: { scale: { maxInstances: { min: 1, max: 10 } } } })
    const cloud = createCloud(provider)
    await expect(cloud.deploy(noop('big', { maxInstances: 11 }))).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'maxInstances',
      message: expect.stringContaining('on mock'),
    })
    expect(provider.calls).toEqual([])
  })

  it('warns about a setting the provider cannot honour and does not pass it on', async () => {
    const provider = createMockProvider({ capabilities: { scale: { maxInstances: { min: 1, max: 10 } } } })
    const fn = await createCloud(provider).deploy(noop('warm', { maxInstances: 2, minInstances: 1 }))
    expect(fn.warnings).toEqual([{ setting: 'minInstances', message: 'mock cannot honour minInstances; it was not set' }])
    const request = provider.calls.find(([method]) => method === 'doDeploy')?.[1] as { scale: unknown }
    expect(request.scale).toEqual({ maxInstances: 2, minInstances: undefined })
    // 0 warm instances asks for nothing, so nothing is warned about.
    expect((await createCloud(provider).deploy(noop('cold', { minInstances: 0 }))).warnings).toEqual([])
  })

  it('changes the configuration hash only when a scale is set, so older deploys stay unchanged', async () => {
    const provider = createMockProvider()
    const cloud = createCloud(provider, { retry: { maxAttempts: 1 } })
    const hashOf = async (definition: ReturnType<typeof noop>) => (await cloud.deploy(definition)).configHash
    const plain = await hashOf(noop('h'))
    // The hash every deploy before the setting had: memory, timeout, env, provider options.
    expect(plain).toBe(
      createHash('sha256')
        .update(JSON.stringify([256, 60, {}, {}]))
        .digest('hex'),
    )
    // No scale capability: the setting is warned about, and the hash stays that of the unscaled function.
    expect(await hashOf(noop('h', { maxInstances: 4 }))).toBe(plain)
    const scaled = createCloud(createMockProvider({ capabilities: { scale: { maxInstances: { min: 1, max: 100 } } } }))
    const four = (await scaled.deploy(noop('h', { maxInstances: 4 }))).configHash
    const five = (await scaled.deploy(noop('h', { maxInstances: 5 }))).configHash
    expect(new Set([plain, four, five]).size).toBe(3)
  })

  it('compares deployed and wanted scale in one place (min 0 is no warm instance)', () => {
    expect(scaleChanges({ maxInstances: 2, minInstances: undefined }, { maxInstances: 2, minInstances: 0 })).toEqual([])
    expect(scaleChanges({ maxInstances: 2, minInstances: 1 }, { maxInstances: undefined, minInstances: 0 })).toEqual([
      'maxInstances',
      'minInstances',
    ])
    expect(scaleHashPart({ maxInstances: undefined, minInstances: 0 })).toEqual([])
  })
})

/** Holds one call of `fn` on a gate, makes a second meanwhile, and returns [the first's answer, the second's error code]. */
async function heldAndRefused(
  fn: { invoke(input: { gate: string; tag: string }): Promise<string> },
  executions: () => number | undefined,
): Promise<[string, string]> {
  const gate = newGate()
  const before = executions() ?? 0
  const a = fn.invoke({ gate: gate.path, tag: 'a' })
  while ((executions() ?? 0) !== before + 1) await new Promise((resolve) => setTimeout(resolve, 1))
  const b = await fn.invoke({ gate: gate.path, tag: 'b' }).then(
    () => 'ran',
    (error: CloudfnError) => error.code,
  )
  gate.open()
  return [await a, b]
}

describe.each(['inline', 'worker'] as const)('the local fake enforces maxInstances (%s)', (isolation) => {
  it("throttles beyond the function's own ceiling, below the fake's, and follows a redeploy", async () => {
    const provider = createLocalProvider({ isolation, maxInstances: 100 })
    const cloud = createCloud(provider, { retry: { maxAttempts: 1 } })
    const one = withOverrides(gated, { maxInstances: 1 })
    const fn = await cloud.deploy(one, { name: 'ceiling' })
    expect(fn.maxInstances).toBe(1)
    expect(await heldAndRefused(fn, () => provider.store.executions.get('ceiling'))).toEqual(['a', 'Throttled'])

    // Raised to 2: a redeploy with only the scale changed updates it, and two calls run at once.
    const two = await cloud.deploy(withOverrides(gated, { maxInstances: 2 }), { name: 'ceiling' })
    expect(two.status).toBe('updated')
    const second = newGate()
    const both = [two.invoke({ gate: second.path, tag: 'c' }), two.invoke({ gate: second.path, tag: 'd' })]
    while (provider.store.executions.get('ceiling') !== 3) await new Promise((resolve) => setTimeout(resolve, 1))
    second.open()
    expect(await Promise.all(both)).toEqual(['c', 'd'])
    expect((await cloud.deploy(withOverrides(gated, { maxInstances: 2 }), { name: 'ceiling' })).status).toBe('unchanged')
    await fn.remove()
  })
})

describe('plans show a scale change', () => {
  it('names the settings where the record reports them, and says scale where it may be the cause', async () => {
    const cloud = local()
    // One handler (inline code is compared by its closure), three scales.
    const one = noop('planned', { maxInstances: 1 })
    await cloud.deploy(one)
    const plan = await cloud.plan(withOverrides(one, { maxInstances: 3 }))
    expect(plan.changes).toEqual([{ kind: 'update-config', resource: 'function:planned', detail: 'maxInstances 1 → 3' }])
    expect((await cloud.plan(withOverrides(one, { maxInstances: 1 }))).changes).toEqual([])
    // A cloud's record may not report the deployed scale: the detail names it among the possible causes.
    const unreported = configChange(
      'f',
      { memoryMb: 256, timeoutSec: 60, envKeys: [], trigger: undefined },
      { memoryMb: 256, timeoutSec: 60, env: {}, trigger: undefined, scale: { maxInstances: 2, minInstances: undefined } },
    )
    expect(unreported.detail).toBe('environment values, provider options or scale')
  })
})

describe('the persisted local fake keeps the ceiling', () => {
  it('a process that loads the function from disk enforces its maxInstances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudfn-scale-'))
    try {
      await local({ isolation: 'worker', persistDir: dir }).deploy(withOverrides(gated, { maxInstances: 1 }), { name: 'kept' })
      const provider = createLocalProvider({ isolation: 'worker', persistDir: dir })
      const other = createCloud(provider, { retry: { maxAttempts: 1 } })
      const fn = await other.get<{ gate: string; tag: string }, string>('kept')
      expect(fn.maxInstances).toBe(1)
      expect(await heldAndRefused(fn, () => provider.store.executions.get('kept'))).toEqual(['a', 'Throttled'])
      await fn.remove()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
