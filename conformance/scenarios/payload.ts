import assert from 'node:assert/strict'
import { rejectedBeforeSending, rejectsWith } from '../expect.ts'
import { bigintResult, echo, measure, respond } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

/** Values whose JSON round trip every backend must reproduce exactly. */
export const FIDELITY_CASES: Array<[string, unknown]> = [
  ['empty object', {}],
  ['empty array', []],
  ['null', null],
  ['string', 'plain'],
  ['empty string', ''],
  ['number', 42],
  ['negative float', -3.25],
  ['true', true],
  ['false', false],
  ['unicode', { text: 'héllo wörld — ñ, 中文, עברית, Ελληνικά' }],
  ['emoji', { text: '👩‍👩‍👧‍👦 🚀 🇯🇵', key: '🔑' }],
  ['escapes', { text: 'quote " backslash \\ newline \n tab \t nul \u0000 line sep \u2028' }],
  ['large numbers', { max: Number.MAX_SAFE_INTEGER, min: Number.MIN_SAFE_INTEGER, big: 1.7976931348623157e308, tiny: 5e-324 }],
  ['nested', { a: { b: { c: { d: [1, [2, [3, { e: 'deep' }]]] } } } }],
  ['array of mixed', [1, 'two', null, { three: 3 }, [4], false]],
  [
    'JSON semantics',
    {
      date: new Date('2026-01-02T03:04:05.678Z'),
      gone: undefined,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      list: [undefined],
    },
  ],
]

export const payload: Scenario[] = [
  {
    id: 'payload-fidelity',
    title: 'inputs and outputs survive the round trip exactly as JSON defines',
    async run({ cloud, name }) {
      const fn = await cloud.deploy(echo, { name: name('echo') })
      for (const [label, value] of FIDELITY_CASES) {
        const expected = JSON.parse(JSON.stringify(value))
        assert.deepEqual(await fn.invoke(value), expected, `round trip of ${label}`)
      }
      await fn.remove()
    },
  },
  {
    id: 'payload-rejected',
    title: 'inputs JSON cannot carry are rejected before sending',
    async run({ cloud, probe, name }) {
      const fn = await cloud.deploy(echo, { name: name('strict') })
      const cycle: Record<string, unknown> = { a: 1 }
      cycle.self = cycle
      for (const [value, field] of [
        [{ id: 1n }, 'input.id'],
        [{ nested: { callback: () => 1 } }, 'input.nested.callback'],
        [cycle, 'input.self'],
        [{ tags: new Set(['a']) }, 'input.tags'],
      ] as const) {
        const error = await rejectedBeforeSending(probe, () => fn.invoke(value), 'InvalidArgument')
        assert.equal((error as { field?: string }).field, field)
      }
      await fn.remove()
    },
  },
  {
    id: 'payload-size-limit',
    title: 'a request over the size limit is refused before sending; a response over it gives PayloadTooLarge',
    async run({ cloud, probe, name, capabilities }) {
      const fn = await cloud.deploy(measure, { name: name('big') })
      // The encoded string adds its two quotes.
      const justFits = 'x'.repeat(capabilities.maxRequestBytes - 2)
      assert.equal(await fn.invoke(justFits), justFits.length)
      const error = await rejectedBeforeSending(probe, () => fn.invoke(`${justFits}x`), 'PayloadTooLarge')
      assert.equal((error as { direction?: string }).direction, 'request')
      await fn.remove()
      const big = await cloud.deploy(respond, { name: name('respond') })
      const tooBig = await rejectsWith(big.invoke({ bytes: capabilities.maxResponseBytes + 1 }), 'PayloadTooLarge')
      assert.equal((tooBig as { direction?: string }).direction, 'response')
      await big.remove()
    },
  },
  {
    id: 'result-not-serializable',
    title: 'a handler returning a BigInt fails as a FunctionError naming the problem',
    async run({ cloud, name }) {
      const fn = await cloud.deploy(bigintResult, { name: name('bigint') })
      const error = await rejectsWith(fn.invoke(null), 'FunctionError')
      assert.equal((error as { remoteName?: string }).remoteName, 'TypeError')
      assert.match(error.message, /JSON-serializable/)
      await fn.remove()
    },
  },
]
