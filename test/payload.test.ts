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
