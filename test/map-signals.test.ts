import { getEventListeners } from 'node:events'
import { createCloud, defineFunction } from 'cloudfn'
import { createMockProvider, mockEnvelope } from 'cloudfn/testing'
import { describe, expect, it } from 'vitest'

const echo = defineFunction({ name: 'echo', handler: (input: number) => input })

/** A deployed echo whose calls record the signal each invoke was given and the listeners on it. */
async function recording() {
  const seen: Array<{ signal: boolean; listeners: number }> = []
  const provider = createMockProvider({
    doInvoke: async (request, options) => {
      const signal = options.signal
      seen.push({ signal: signal !== undefined, listeners: signal ? getEventListeners(signal, 'abort').length : 0 })
      await new Promise((resolve) => setImmediate(resolve))
      return mockEnvelope(JSON.parse(request.payload))
    },
  })
  return { fn: await createCloud(provider).deploy(echo), seen }
}

async function drain(results: AsyncIterable<{ ok: boolean }>): Promise<number> {
  let ok = 0
  for await (const result of results) if (result.ok) ok++
  return ok
}

describe('mapStream: what each input costs while in flight', () => {
  it('gives no signal to the calls of a map nothing can cancel (no controller or listener per input)', async () => {
    const { fn, seen } = await recording()
    expect(await drain(fn.mapStream([1, 2, 3, 4, 5, 6], { concurrency: 3 }))).toBe(6)
    expect(seen).toEqual(Array.from({ length: 6 }, () => ({ signal: false, listeners: 0 })))
  })

  it.each([
    ['a signal', () => ({ signal: new AbortController().signal })],
    ['an onProgress callback', () => ({ onProgress: () => {} })],
  ])('gives each call its own signal when the map has %s', async (_, options) => {
    const { fn, seen } = await recording()
    expect(await drain(fn.mapStream([1, 2, 3, 4, 5, 6], { concurrency: 3, ...options() }))).toBe(6)
    expect(seen.map((call) => call.signal)).toEqual(Array.from({ length: 6 }, () => true))
    // Its own signal: at most the invoke's own abort listener, however many inputs the map has taken.
    expect(Math.max(...seen.map((call) => call.listeners))).toBeLessThanOrEqual(1)
  })
})
