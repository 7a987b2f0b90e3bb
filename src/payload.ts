import { encodeWalking } from './payload-walk.ts'

export interface EncodedPayload {
  json: string
  /** UTF-8 length of `json`. */
  bytes: number
}

/**
 * UTF-8 byte length of `text` when it may exceed `limit`, else undefined.
 * A UTF-16 code unit takes at most 3 UTF-8 bytes, so short texts need no count.
 */
export function bytesOverLimit(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined
  const bytes = Buffer.byteLength(text)
  return bytes > limit ? bytes : undefined
}

/**
 * Encodes a value the way every cloud will see it: JSON. `undefined`
 * properties are dropped, Dates become strings and NaN becomes null, exactly as
 * `JSON.stringify` does. What JSON would lose silently or cannot encode at all
 * (BigInt, boxed or not, functions, symbols, Map, Set, cycles) is rejected
 * with an `InvalidArgumentError` naming the path, before anything is sent.
 * Nesting is limited by memory, not by the call stack (see payload-walk.ts).
 */
export function encodePayload(value: unknown, field = 'input'): EncodedPayload {
  const json = encodeJson(value, field)
  return { json, bytes: Buffer.byteLength(json) }
}

/** As `encodePayload`, without counting bytes. */
export function encodeJson(value: unknown, field = 'input'): string {
  let json: string | undefined
  try {
    // A replacer takes V8 off its fast serializer (about 3× slower on small inputs): values a quick walk
    // proves lossless are stringified without one, giving the same text; anything else takes the checked path.
    json = provablyLossless(value, 0) ? JSON.stringify(value) : JSON.stringify(value, rejectLossy)
  } catch {
    // The fast path only knows that something is wrong (a lossy value, a boxed BigInt, a cycle, or nesting
    // deeper than its recursion goes): the walk encodes what JSON can and names the path of what it cannot.
    return encodeWalking(value, field)
  }
  // Top-level `undefined` is sent as null, as an empty request body is on the clouds.
  return json ?? 'null'
}

export function decodePayload(json: string): unknown {
  return JSON.parse(json)
}

class Lossy extends Error {}

/**
 * True when `value` holds nothing `rejectLossy` would refuse: no function,
 * symbol, Map or Set at any depth. False means "not sure", never "lossy":
 * objects with `toJSON` (what they serialize to is another value), deep or
 * cyclic nesting and inherited enumerable properties take the checked path.
 * (An own enumerable getter is read twice, here and by `JSON.stringify`.)
 */
function provablyLossless(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol'
  if (depth > 32 || value instanceof Map || value instanceof Set) return false
  if (Array.isArray(value)) {
    for (const item of value) if (!provablyLossless(item, depth + 1)) return false
    return true
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !provablyLossless((value as Record<string, unknown>)[key], depth + 1)) return false
  }
  return true
}

// Called for every value: checks the cheap `typeof` first and `instanceof` only for objects.
function rejectLossy(this: unknown, _key: string, value: unknown): unknown {
  const type = typeof value
  if (type === 'object' ? value instanceof Map || value instanceof Set : type === 'function' || type === 'symbol') {
    throw new Lossy()
  }
  return value
}
