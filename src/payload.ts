import { InvalidArgumentError } from './errors/invalid-argument.ts'

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
 * (BigInt, functions, symbols, Map, Set, cycles) is rejected with an
 * `InvalidArgumentError` naming the path, before anything is sent.
 */
export function encodePayload(value: unknown, field = 'input'): EncodedPayload {
  const json = encodeJson(value, field)
  return { json, bytes: Buffer.byteLength(json) }
}

/** As `encodePayload`, without counting bytes. */
export function encodeJson(value: unknown, field = 'input'): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value, rejectLossy)
  } catch {
    // The fast path only knows that something is wrong; walk to say where.
    throw explain(value, field)
  }
  // Top-level `undefined` is sent as null, as an empty request body is on the clouds.
  return json ?? 'null'
}

export function decodePayload(json: string): unknown {
  return JSON.parse(json)
}

class Lossy extends Error {}

// Called for every value: checks the cheap `typeof` first and `instanceof` only for objects.
function rejectLossy(this: unknown, _key: string, value: unknown): unknown {
  const type = typeof value
  if (type === 'object' ? value instanceof Map || value instanceof Set : type === 'function' || type === 'symbol') {
    throw new Lossy()
  }
  return value
}

function lossyKind(value: unknown): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return 'a BigInt (convert it to a string or number)'
    case 'function':
      return 'a function (functions cannot be sent)'
    case 'symbol':
      return 'a symbol (symbols cannot be sent)'
  }
  if (value instanceof Map) return 'a Map (convert it with Object.fromEntries)'
  if (value instanceof Set) return 'a Set (convert it with Array.from)'
  return undefined
}

function explain(root: unknown, field: string): InvalidArgumentError {
  const ancestors: unknown[] = []
  const visit = (value: unknown, path: string): InvalidArgumentError | undefined => {
    const kind = lossyKind(value)
    if (kind) return new InvalidArgumentError({ field: path, message: `${path} is ${kind}` })
    if (typeof value !== 'object' || value === null) return undefined
    if (ancestors.includes(value)) {
      return new InvalidArgumentError({
        field: path,
        message: `${path} refers back to itself (a cycle); JSON cannot encode cycles`,
      })
    }
    const withToJson = value as { toJSON?: () => unknown }
    if (typeof withToJson.toJSON === 'function') return visit(withToJson.toJSON(), path)
    ancestors.push(value)
    const entries = Array.isArray(value)
      ? value.map((item, i) => [`[${i}]`, item] as const)
      : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const)
    for (const [suffix, child] of entries) {
      const found = visit(child, `${path}${suffix}`)
      if (found) return found
    }
    ancestors.pop()
    return undefined
  }
  return visit(root, field) ?? new InvalidArgumentError({ field, message: `${field} cannot be encoded as JSON` })
}
