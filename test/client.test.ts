import { getEventListeners } from 'node:events'
import { CancelledError, createCloud, defineFunction, InvalidArgumentError } from 'cloudfn'
import { createMockProvider, mockEnvelope } from 'cloudfn/testing'
import { describe, expect, it } from 'vitest'
import { caughtError } from '../conformance/expect.ts'
import { ConflictError, ProviderError, ThrottledError, UnsupportedError } from '../src/errors/index.ts'
import type { FunctionRecord } from '../src/provider.ts'

const echo = defineFunction({ name: 'echo', handler: (input: unknown) => input, providerOptions: { mock: { tier: 'gold' } } })
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 } }

async function deployed(options: Parameters<typeof createMockProvider>[0] = {}) {
  const provider = createMockProvider({ providerOptionKeys: ['tier'], ...options })
  const cloud = createCloud(provider, fast)
  const fn = await cloud.deploy(echo)
  provider.calls.length = 0
  return { provider, cloud, fn }
}

/** The record a provider answers for a deploy request, for mock `doDeploy`s. */
function recordFor(request: { name: string; configHash: string }): FunctionRecord {
  return {
    name: request.name,
    provider: 'mock',
    memoryMb: 256,
    timeoutSec: 60,
    envKeys: [],
    codeHash: 'h',
    configHash: request.configHash,
    updatedAt: '',
  }
}

describe('createCloud: deploy', () => {
  it("passes only this provider's options, and a stable config hash", async () => {
    const provider = createMockProvider({ providerOptionKeys: ['tier'] })
    const cloud = createCloud(provider, fast)
    const first = await cloud.deploy(echo)
    const second = await cloud.deploy(echo)
    const requests = provider.calls
      .filter(([method]) => method === 'doDeploy')
      .map(([, request]) => request as { providerOptions: unknown; configHash: string })
    expect(requests[0]?.providerOptions).toEqual({ tier: 'gold' })
    expect(requests[0]?.configHash).toBe(requests[1]?.configHash)
    expect(first.status).toBe('created')
    expect(second.status).toBe('updated')
  })

  it('rejects unknown provider options and out-of-range settings before calling the provider', async () => {
    const provider = createMockProvider({ providerOptionKeys: [] })
    const cloud = createCloud(provider)
    expect((await caughtError(cloud.deploy(echo))).message).toMatch(
      /providerOptions\.mock\.tier is not a known option \(this takes no options\)/,
    )
    const big = defineFunction({ name: 'big', handler: () => 1, memoryMb: 4096 })
    const error = await caughtError(cloud.deploy(big))
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'memoryMb' })
    expect(error.message).toMatch(/128 to 2048 MB on mock/)
    expect(provider.calls).toEqual([])
  })

  it('retries control-plane conflicts until they clear', async () => {
    let attempts = 0
    const { cloud } = await deployed({
      doDeploy: async (request) => {
        if (++attempts < 3) throw new ConflictError({ message: 'update in progress' })
        return {
          record: recordFor(request),
          status: 'updated',
          warnings: [],
        }
      },
    })
    attempts = 0
    await cloud.deploy(echo)
    expect(attempts).toBe(3)
  })

  it('turns foreign errors from a provider into ProviderError with the cause kept', async () => {
    const cause = new TypeError('socket hang up')
    const cloud = createCloud(
      createMockProvider({
        providerOptionKeys: ['tier'],
        doDeploy: async () => {
          throw cause
        },
      }),
      { retry: { maxAttempts: 1 } },
    )
    const error = await caughtError(cloud.deploy(echo))
    expect(ProviderError.isInstance(error)).toBe(true)
    expect(error.cause).toMatchObject({ name: 'TypeError', message: 'socket hang up' })
    expect(error.message).toBe('mock deploy failed: TypeError: socket hang up')
  })
})

describe('createCloud: what a retried call did', () => {
  it('reports created when an attempt created the function and the retry found it done', async () => {
    let attempts = 0
    const provider = createMockProvider({
      providerOptionKeys: ['tier'],
      doDeploy: async (request) => {
        const first = ++attempts === 1
        request.onStep?.(first ? 'create' : 'update')
        if (first) throw new ProviderError({ message: 'connection reset while waiting' })
        return {
          record: recordFor(request),
          status: 'unchanged',
          warnings: [],
        }
      },
    })
    const steps: string[] = []
    const fn = await createCloud(provider, fast).deploy(echo, { onProgress: (step) => steps.push(step) })
    expect(fn.status).toBe('created')
    expect(steps).toEqual(['validate', 'create', 'update', 'done'])
  })

  it('reports removed when an attempt deleted the function and the retry found nothing', async () => {
    const provider = createMockProvider({ providerOptionKeys: ['tier'] })
    const cloud = createCloud(provider, fast)
    await cloud.deploy(echo)
    let attempts = 0
    const removing = createCloud(
      {
        ...provider,
        doRemove: async (name) => {
          provider.records.delete(name)
          if (++attempts === 1) throw new ProviderError({ message: 'reset after the delete was sent' })
          return { removed: false }
        },
      },
      fast,
    )
    expect(await removing.remove('echo')).toEqual({ removed: true })
    expect(attempts).toBe(2)
    expect(await removing.remove('echo')).toEqual({ removed: false })
  })
})

describe('createCloud: gc', () => {
  it('passes the threshold and dry-run flag on, and retries a failed attempt', async () => {
    const { provider, cloud } = await deployed()
    let attempts = 0
    const retrying = createCloud(
      {
        ...provider,
        doGc: async (options, callOptions) => {
          if (++attempts === 1) throw new ThrottledError({ message: 'slow down', retryAfterMs: 1 })
          return provider.doGc?.(options, callOptions) ?? { removed: [], kept: [] }
        },
      },
      fast,
    )
    expect(await retrying.gc({ olderThanMs: 60_000, dryRun: true })).toEqual({ removed: ['function:echo'], kept: [] })
    expect(provider.records.has('echo')).toBe(true)
    expect(attempts).toBe(2)
    expect(await cloud.gc({ olderThanMs: 60_000 })).toEqual({ removed: ['function:echo'], kept: [] })
    expect(provider.records.size).toBe(0)
    expect(provider.calls.filter(([method]) => method === 'doGc').map(([, options]) => options)).toEqual([
      { olderThanMs: 60_000, dryRun: true },
      { olderThanMs: 60_000, dryRun: false },
    ])
  })

  it('keeps what is younger than the threshold', async () => {
    const provider = createMockProvider({ providerOptionKeys: ['tier'] })
    const cloud = createCloud(provider, fast)
    await cloud.deploy(echo)
    provider.records.set('echo', { ...(provider.records.get('echo') as FunctionRecord), updatedAt: new Date().toISOString() })
    expect(await cloud.gc({ olderThanMs: 60_000 })).toEqual({ removed: [], kept: ['function:echo'] })
    expect(await cloud.gc({ olderThanMs: 0 })).toEqual({ removed: ['function:echo'], kept: [] })
  })

  it.each([
    [undefined, 'options'],
    [{}, 'options.olderThanMs'],
    [{ olderThanMs: -1 }, 'options.olderThanMs'],
    [{ olderThanMs: 1.5 }, 'options.olderThanMs'],
    [{ olderThanMs: '1d' }, 'options.olderThanMs'],
    [{ olderThanMs: 0, dryRun: 'yes' }, 'options.dryRun'],
    [{ olderThanMs: 0, force: true }, 'options.force'],
    [{ olderThanMs: 0, signal: 'stop' }, 'options.signal'],
  ])('rejects %j naming %s, before calling the provider', async (options, field) => {
    const { provider, cloud } = await deployed()
    const error = await caughtError(cloud.gc(options as never))
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect((error as InvalidArgumentError).field).toBe(field)
    expect(provider.calls).toEqual([])
  })

  it('is Unsupported on a provider without doGc', async () => {
    const { doGc: _unused, ...provider } = createMockProvider()
    const error = await caughtError(createCloud(provider, fast).gc({ olderThanMs: 0 }))
    expect(UnsupportedError.isInstance(error)).toBe(true)
    expect(error.message).toContain('mock does not support gc')
  })
})

describe('createCloud: invoke', () => {
  it('retries a throttled invoke, which provably did not run', async () => {
    let calls = 0
    const { fn } = await deployed({
      doInvoke: async (request) => {
        if (++calls < 3) throw new ThrottledError({ message: 'rate exceeded' })
        return mockEnvelope(JSON.parse(request.payload))
      },
    })
    expect(await fn.invoke({ n: 1 })).toEqual({ n: 1 })
    expect(calls).toBe(3)
  })

  it('never retries an invoke that may have run', async () => {
    let calls = 0
    const { fn } = await deployed({
      doInvoke: async () => {
        calls++
        throw new ProviderError({ message: 'connection reset after sending', status: 502 })
      },
    })
    expect((await caughtError(fn.invoke({}))).code).toBe('ProviderError')
    expect(calls).toBe(1)
  })

  it('retries an invoke refused before sending', async () => {
    let calls = 0
    const { fn } = await deployed({
      doInvoke: async (request) => {
        if (++calls === 1) throw new ProviderError({ message: 'ECONNREFUSED', notExecuted: true })
        return mockEnvelope(JSON.parse(request.payload))
      },
    })
    expect(await fn.invoke('x')).toBe('x')
    expect(calls).toBe(2)
  })

  it('checks the request size against the capability before sending', async () => {
    const { fn, provider } = await deployed()
    const error = await caughtError(fn.invoke('x'.repeat(1100)))
    expect(error).toMatchObject({ code: 'PayloadTooLarge', direction: 'request', bytes: 1102, limitBytes: 1024 })
    expect((await caughtError(fn.invokeAsync('x'.repeat(600)))).code).toBe('PayloadTooLarge')
    expect(provider.calls).toEqual([])
  })

  it('reports a malformed answer as a non-retryable ProviderError', async () => {
    const { fn } = await deployed({ doInvoke: async () => ({ envelope: '<html>502</html>' }) })
    const error = await caughtError(fn.invoke({}))
    expect(error).toMatchObject({ code: 'ProviderError', isRetryable: false })
  })

  it('maps a failure envelope to FunctionError', async () => {
    const envelope = JSON.stringify({
      ok: false,
      error: { name: 'RangeError', message: 'bad', stack: 'RangeError: bad' },
      meta: { coldStart: false, durationMs: 1, executionId: 'e1' },
    })
    const { fn } = await deployed({ doInvoke: async () => ({ envelope }) })
    expect(await caughtError(fn.invoke({}))).toMatchObject({ code: 'FunctionError', remoteName: 'RangeError', executionId: 'e1' })
  })

  it('stops waiting when the signal aborts', async () => {
    const { fn } = await deployed({ doInvoke: () => new Promise(() => {}) })
    const controller = new AbortController()
    const pending = fn.invoke({}, { signal: controller.signal })
    controller.abort()
    expect(CancelledError.isInstance(await caughtError(pending))).toBe(true)
  })

  it('rejects unknown invoke options', async () => {
    const { fn, provider } = await deployed()
    const error = await caughtError(fn.invoke({}, { logs: true } as never))
    expect(InvalidArgumentError.isInstance(error) && error.field).toBe('options.logs')
    expect(provider.calls).toEqual([])
  })
})

describe('createCloud: map', () => {
  it('keeps input order and at most `concurrency` calls in flight', async () => {
    let inFlight = 0
    let peak = 0
    const { fn } = await deployed({
      doInvoke: async (request) => {
        peak = Math.max(peak, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, Number(JSON.parse(request.payload)) % 7))
        inFlight--
        return mockEnvelope(JSON.parse(request.payload))
      },
    })
    const inputs = Array.from({ length: 40 }, (_, i) => i)
    const results = await fn.map(inputs, { concurrency: 4 })
    expect(results.map((result) => result.ok && result.value)).toEqual(inputs)
    expect(peak).toBe(4)
  })

  it('takes async iterables and streams results', async () => {
    const { fn } = await deployed()
    async function* source() {
      for (let i = 0; i < 5; i++) yield i
    }
    const seen: number[] = []
    for await (const result of fn.mapStream(source(), { concurrency: 2 })) if (result.ok) seen.push(result.value as number)
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4])
  })

  it('gives every input of an aborted map exactly one result', async () => {
    const controller = new AbortController()
    let started = 0
    const { fn } = await deployed({
      doInvoke: async (request) => {
        if (++started === 3) controller.abort()
        await new Promise((resolve) => setTimeout(resolve, 5))
        return mockEnvelope(JSON.parse(request.payload))
      },
    })
    const results = await fn.map([1, 2, 3, 4, 5, 6], { concurrency: 1, signal: controller.signal })
    expect(results).toHaveLength(6)
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual([
      'ok',
      'ok',
      'Cancelled',
      'Cancelled',
      'Cancelled',
      'Cancelled',
    ])
  })

  it('keeps no per-input state once an input is done (listeners on the shared signal stay bounded)', async () => {
    let peakListeners = 0
    const { fn } = await deployed({
      doInvoke: async (request, options) => {
        if (options.signal) peakListeners = Math.max(peakListeners, getEventListeners(options.signal, 'abort').length)
        await new Promise((resolve) => setImmediate(resolve))
        return mockEnvelope(JSON.parse(request.payload))
      },
    })
    let done = 0
    for await (const result of fn.mapStream(
      Array.from({ length: 2000 }, (_, i) => i),
      { concurrency: 5 },
    ))
      if (result.ok) done++
    expect(done).toBe(2000)
    // One listener per call in flight at most, not one per input ever taken.
    expect(peakListeners).toBeLessThanOrEqual(5)
  })

  it('validates its options', async () => {
    const { fn } = await deployed()
    expect((await caughtError(fn.map([1], { concurrency: 0 }))).message).toMatch(
      /options.concurrency must be an integer from 1 to 1000/,
    )
    expect((await caughtError(fn.map(42 as never))).message).toMatch(/inputs must be an array/)
  })
})

describe('handles', () => {
  it('serialize as plain data', async () => {
    const { fn } = await deployed()
    const json = JSON.parse(JSON.stringify(fn))
    expect(json).toMatchObject({ name: 'echo', provider: 'mock', status: 'created', warnings: [] })
    expect(Object.keys(json)).not.toContain('invoke')
  })
})
