import { encodePayload, InvalidArgumentError } from 'cloudfn'
import { describe, expect, it } from 'vitest'

function rejection(value: unknown): InvalidArgumentError {
  try {
    encodePayload(value)
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('encodePayload', () => {
  it('follows JSON semantics: undefined dropped, Dates as strings, NaN as null', () => {
    const { json } = encodePayload({ a: undefined, d: new Date('2026-01-01T00:00:00Z'), n: Number.NaN, list: [undefined, 1] })
    expect(JSON.parse(json)).toEqual({ d: '2026-01-01T00:00:00.000Z', n: null, list: [null, 1] })
  })

  it('sends top-level undefined as null', () => {
    expect(encodePayload(undefined).json).toBe('null')
  })

  it('counts UTF-8 bytes, not characters', () => {
    expect(encodePayload('é').bytes).toBe(4)
    expect(encodePayload('🚀').bytes).toBe(6)
  })

  it.each([
    [{ id: 10n }, 'input.id', /BigInt/],
    [{ list: [1, () => 2] }, 'input.list[1]', /function/],
    [{ s: Symbol('x') }, 'input.s', /symbol/],
    [{ m: new Map() }, 'input.m', /Map/],
    [new Set([1]), 'input', /Set/],
  ])('rejects %o naming %s', (value, field, message) => {
    const error = rejection(value)
    expect(error.field).toBe(field)
    expect(error.message).toMatch(message)
  })

  it('rejects cycles with the path of the back reference', () => {
    const node: Record<string, unknown> = { children: [] }
    ;(node.children as unknown[]).push({ parent: node })
    const error = rejection(node)
    expect(error.field).toBe('input.children[0].parent')
    expect(error.message).toMatch(/cycle/)
  })

  it('accepts shared (non-cyclic) references', () => {
    const shared = { x: 1 }
    expect(JSON.parse(encodePayload({ a: shared, b: shared }).json)).toEqual({ a: { x: 1 }, b: { x: 1 } })
  })
})

/** An array nested `depth` deep: `[[[...]]]`. */
function nested(depth: number): unknown[] {
  let value: unknown[] = []
  for (let level = 1; level < depth; level++) value = [value]
  return value
}

describe('encodePayload: deep nesting and boxed values', () => {
  it('encodes an array nested 3,000 deep (valid JSON that JSON.stringify handles)', () => {
    expect(encodePayload(nested(3_000)).json).toBe(JSON.stringify(nested(3_000)))
  })

  it('encodes 4,000 and 200,000 levels without a raw RangeError', () => {
    expect(encodePayload(nested(4_000)).json).toBe(`${'['.repeat(4_000)}${']'.repeat(4_000)}`)
    const deep = { a: nested(200_000) }
    expect(encodePayload(deep).bytes).toBe(6 + 2 * 200_000)
  })

  it('names the path of a lossy value deep down, and of a boxed BigInt', () => {
    let deep: unknown = { b: Object(1n) }
    for (let level = 0; level < 5_000; level++) deep = [deep]
    expect(rejection(deep).field).toBe(`input${'[0]'.repeat(5_000)}.b`)
    const boxed = rejection({ b: Object(1n) })
    expect([boxed.field, boxed.message]).toEqual(['input.b', 'input.b is a BigInt (convert it to a string or number)'])
    expect(rejection({ list: [1, [Object(2n)]] }).field).toBe('input.list[1][0]')
  })

  it('walks to the same JSON as JSON.stringify where both can go', () => {
    const withToJson = { toJSON: (key: string) => ({ key, at: 1 }) }
    const values: unknown[] = [
      { a: undefined, d: new Date('2026-01-01T00:00:00Z'), n: Number.NaN, i: -Infinity, list: [undefined, 1, null] },
      [Object(1), Object('s'), Object(false), { inner: withToJson }, [withToJson]],
      { '': 1, 'quote"': 'é\u2028\u0000', nested: { empty: {}, arr: [] } },
      'text',
      7,
      null,
    ]
    // A value whose nesting defeats the fast path takes the walk; wrapping each case in it compares the two.
    for (const value of values) {
      const deep = [nested(4_000), value]
      expect(encodePayload(deep).json).toBe(JSON.stringify(deep))
    }
  })

  it('reports a cycle deep down with its path', () => {
    const node: Record<string, unknown> = {}
    let deep: unknown = node
    for (let level = 0; level < 4_000; level++) deep = [deep]
    node.back = deep
    expect(rejection(deep).field).toBe(`input${'[0]'.repeat(4_000)}.back`)
  })
})
