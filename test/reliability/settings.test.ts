/**
 * Settings and callbacks that used to be accepted and then break the client:
 * each is refused with an InvalidArgumentError naming the field before
 * anything is sent, and a throwing map() callback rejects the map.
 */
import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { echo } from '../../conformance/fixtures/functions.ts'
import { startKit } from '../../providers/azure/__fixtures__/test-kit.ts'
import { startEmulated } from '../../providers/gcp/__fixtures__/setup.ts'
import { local } from '../../providers/local/index.ts'
import { createCloud } from '../../src/client.ts'
import { schedule } from '../../src/index.ts'
import type { Provider } from '../../src/provider.ts'
import { createMockProvider, mockEnvelope } from '../../src/testing/index.ts'

describe('retry settings', () => {
  it.each([
    ['maxAttempts NaN', { maxAttempts: Number.NaN }, 'settings.retry.maxAttempts'],
    ['maxAttempts negative', { maxAttempts: -1 }, 'settings.retry.maxAttempts'],
    ['maxAttempts not an integer', { maxAttempts: 2.5 }, 'settings.retry.maxAttempts'],
    ['a misspelt key', { maxAtempts: 3 }, 'settings.retry.maxAtempts'],
    ['baseDelayMs a string', { baseDelayMs: '100' }, 'settings.retry.baseDelayMs'],
    ['maxDelayMs Infinity', { maxDelayMs: Number.POSITIVE_INFINITY }, 'settings.retry.maxDelayMs'],
    ['a string', 'fast', 'settings.retry'],
  ])('refuses %s', (_what, retry, field) => {
    for (const make of [
      () => createCloud(createMockProvider(), { retry: retry as never }),
      () => local({ retry: retry as never }),
    ]) {
      expect(make).toThrow(expect.objectContaining({ code: 'InvalidArgument', field }))
    }
  })

  it('takes a valid policy', () => {
    expect(() => createCloud(createMockProvider(), { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 10 } })).not.toThrow()
  })
})

describe('other options', () => {
  it('refuses invoke({ logs: "yes" }) instead of reading it as false', async () => {
    const fn = await local().deploy(echo)
    await expect(fn.invokeDetailed(1, { logs: 'yes' as never })).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'options.logs',
    })
  })

  it.each(['+05:00', '-0800', 'Europe/Paris'])('schedules take IANA names only: %s', (zone) => {
    const make = () => schedule('0 9 * * *', { timezone: zone })
    if (zone.includes('/')) expect(make().timezone).toBe(zone)
    else expect(make).toThrow(expect.objectContaining({ field: 'trigger.timezone' }))
  })
})

describe('map() callbacks', () => {
  it('rejects the map with what onProgress threw, and starts no new input', async () => {
    const provider = createMockProvider()
    const fn = await createCloud(provider).deploy(echo)
    const thrown = new Error('progress bar crashed')
    const inputs = Array.from({ length: 50 }, (_, i) => i)
    await expect(
      fn.map(inputs, {
        concurrency: 2,
        onProgress: (progress) => {
          if (progress.done === 3) throw thrown
        },
      }),
    ).rejects.toBe(thrown)
    const invoked = provider.calls.filter(([method]) => method === 'doInvoke').length
    // The inputs in flight when it threw may finish; nothing after them starts.
    expect(invoked).toBeLessThanOrEqual(5)
  })
})

/** Wraps doInvoke to record how many abort listeners the signal it is given carries, as fetch adds its own. */
function countListeners(provider: Provider): number[] {
  const counts: number[] = []
  const inner = provider.doInvoke.bind(provider)
  provider.doInvoke = async (request, options) => {
    if (options.signal) counts.push(getEventListeners(options.signal, 'abort').length)
    return inner(request, options)
  }
  return counts
}

describe('map() abort listeners', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  it('stay bounded with a provider whose requests leave a listener behind (as fetch does)', async () => {
    const provider = createMockProvider({
      doInvoke: async (_request, options) => {
        // fetch keeps its listener until the request object is collected.
        options.signal?.addEventListener('abort', () => undefined)
        return mockEnvelope(null)
      },
    })
    const counts = countListeners(provider)
    const fn = await createCloud(provider).deploy(echo)
    const results = await fn.map(
      Array.from({ length: 200 }, (_, i) => i),
      { concurrency: 4, signal: new AbortController().signal },
    )
    expect(results.every((result) => result.ok)).toBe(true)
    expect(Math.max(...counts)).toBeLessThanOrEqual(4)
  })

  it.each([
    [
      'gcp',
      async () => {
        const kit = await startEmulated()
        close = () => kit.emulator.close()
        return { provider: kit.provider, cloud: (provider: Provider) => kit.cloudWith({}, provider as typeof kit.provider) }
      },
    ],
    [
      'azure',
      async () => {
        const kit = startKit()
        close = kit.close
        return { provider: kit.provider, cloud: () => kit.cloud }
      },
    ],
  ])('stay bounded on %s', { timeout: 120_000 }, async (_name, start) => {
    const { provider, cloud } = await start()
    const counts = countListeners(provider as Provider)
    const fn = await cloud(provider as Provider).deploy(echo)
    const results = await fn.map(
      Array.from({ length: 60 }, (_, i) => i),
      { concurrency: 4 },
    )
    expect(results.map((result) => result.ok && result.value)).toEqual(Array.from({ length: 60 }, (_, i) => i))
    expect(Math.max(...counts)).toBeLessThanOrEqual(8)
  })
})
