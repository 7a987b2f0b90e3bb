import { describeValue, fail } from '../validation.ts'
import type { PriceTableBase } from './types.ts'

/** A price table with any of its fields replaced; nested objects (rates by architecture, free tiers) are replaced whole. */
export type PriceOverrides<T extends PriceTableBase> = { [K in keyof T]?: T[K] }

/**
 * The user's prices over a provider's defaults, checked against the defaults'
 * shape: the same keys, rates that are finite and not negative, source fields
 * that are strings. An unknown key is an error naming it, as for any setting.
 */
export function withPriceOverrides<T extends PriceTableBase>(defaults: T, overrides: unknown, field: string): T {
  if (overrides === undefined) return defaults
  checkShape(defaults, overrides, field)
  return { ...defaults, ...(overrides as Partial<T>) }
}

function checkShape(expected: unknown, value: unknown, field: string, whole = false): void {
  if (typeof expected === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      fail(field, `must be a number of 0 or more (got ${describeValue(value)})`)
    return
  }
  if (typeof expected === 'string') {
    if (typeof value !== 'string') fail(field, `must be a string (got ${describeValue(value)})`)
    return
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(field, `must be an object (got ${describeValue(value)})`)
  const shape = expected as Record<string, unknown>
  const given = value as Record<string, unknown>
  for (const key of Object.keys(given)) {
    if (!(key in shape)) fail(`${field}.${key}`, `is not a price of this table (known: ${Object.keys(shape).join(', ')})`)
    checkShape(shape[key], given[key], `${field}.${key}`, true)
  }
  // A nested object replaces the default whole, so it must say every field.
  if (whole) for (const key of Object.keys(shape)) if (!(key in given)) fail(`${field}.${key}`, 'is missing')
}
