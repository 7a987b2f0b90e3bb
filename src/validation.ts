import { InvalidArgumentError } from './errors/invalid-argument.ts'

/** Small checks that throw `InvalidArgumentError` naming the field and what is allowed. */

export function fail(field: string, message: string): never {
  throw new InvalidArgumentError({ field, message: `${field} ${message}` })
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}

export function expectPlainObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, `must be an object (got ${describeValue(value)})`)
  }
  // Their entries are not properties: a Map would be read as {} and its content silently lost.
  const kind = COLLECTIONS.find((type) => value instanceof type)
  if (kind) fail(field, `must be a plain object (got a ${kind.name}); use Object.fromEntries(...) to convert it`)
  return value as Record<string, unknown>
}

const COLLECTIONS = [Map, Set, WeakMap, WeakSet, Date, RegExp, Promise, ArrayBuffer]

/** Unknown options are errors: a typo must not be silently ignored. */
export function expectKnownKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(
        `${field ? `${field}.` : ''}${key}`,
        allowed.length === 0
          ? 'is not a known option (this takes no options)'
          : `is not a known option (allowed: ${allowed.join(', ')})`,
      )
    }
  }
}

export function expectInteger(value: unknown, field: string, min: number, max: number, unit = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer from ${min} to ${max}${unit} (got ${describeValue(value)})`)
  }
  return value
}

/** `fallback` when the option is absent, else `value` checked as by `expectInteger`. */
export function integerOr(value: unknown, fallback: number, field: string, min: number, max: number, unit = ''): number {
  return value === undefined ? fallback : expectInteger(value, field, min, max, unit)
}

export function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(field, `must be a non-empty string (got ${describeValue(value)})`)
  }
  return value
}

export function expectFunction(value: unknown, field: string): void {
  if (typeof value !== 'function') fail(field, `must be a function (got ${describeValue(value)})`)
}

export function expectSignal(value: unknown, field: string): AbortSignal | undefined {
  if (value === undefined) return undefined
  if (!(value instanceof AbortSignal)) fail(field, `must be an AbortSignal (got ${describeValue(value)})`)
  return value
}
