import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { successEnvelope } from '../src/runtime/envelope.ts'
import { runDefinition, runDefinitionNow } from '../src/runtime/run-definition.ts'

describe('successEnvelope', () => {
  it('writes the same text as JSON.stringify of the envelope', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
        (value, coldStart, durationMs, executionId) => {
          const meta = { coldStart, durationMs, executionId }
          expect(successEnvelope(JSON.stringify(value), meta)).toBe(JSON.stringify({ ok: true, value, meta }))
        },
      ),
    )
  })
})

describe('runDefinitionNow', () => {
  const options = { executionId: 'id', coldStart: false, deadline: Date.now() + 60_000, log: () => {} }
  // Meta (duration) and stacks (call sites) differ between two runs by nature; the rest must not.
  const strip = (text: string) => {
    const { meta: _, error, ...rest } = JSON.parse(text) as { meta: unknown; error?: { stack?: string } }
    return JSON.stringify({ ...rest, error: error && { ...error, stack: error.stack?.split('\n')[0] } })
  }

  it.each<[string, boolean, () => unknown]>([
    ['returns a value', true, () => ({ sum: 3 })],
    [
      'throws',
      true,
      () => {
        throw new RangeError('no')
      },
    ],
    ['returns something JSON cannot encode', true, () => 10n],
    ['returns a promise of a value', false, async () => ({ sum: 3 })],
    [
      'returns a rejected promise',
      false,
      async () => {
        throw new RangeError('no')
      },
    ],
    // biome-ignore lint/suspicious/noThenProperty: a handler may answer with any thenable, as `await` accepts
    ['returns a thenable', false, () => ({ then: (resolve: (value: unknown) => void) => resolve('via then') })],
  ])('answers as runDefinition does when the handler %s (synchronously: %s)', async (_, sync, handler) => {
    const definition = { name: 'f', handler: handler as never }
    const now = runDefinitionNow(definition, '{"a":1}', options)
    const viaPromise = await runDefinition(definition, '{"a":1}', options)
    expect(typeof now === 'string').toBe(sync)
    expect(strip(typeof now === 'string' ? now : await now)).toBe(strip(viaPromise))
  })

  it('answers a failure, as `await` would reject, when asking whether the value is a thenable throws', async () => {
    const value = Object.defineProperty({}, 'then', {
      get() {
        throw new TypeError('then is not readable')
      },
    })
    const now = runDefinitionNow({ name: 'f', handler: (() => value) as never }, '{}', options)
    expect(typeof now).toBe('string')
    expect(JSON.parse(now as string)).toMatchObject({ ok: false, error: { name: 'TypeError', message: 'then is not readable' } })
  })
})
