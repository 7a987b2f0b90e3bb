import { InvalidArgumentError } from './errors/invalid-argument.ts'

export interface EncodedPayload {
  json: string
  bytes: number
}

/**
 * Encodes a value the way every cloud will see it: JSON. `undefined`
 * properties are dropped, Dates become strings and NaN becomes null, exactly as
 * `JSON.stringify` does. What JSON would lose silently or cannot encode at all
 * (BigInt, functions, symbols, Map, Set, cycles) is rejected with an
 * `InvalidArgumentError` naming the path, before anything is sent.
 */
export function encodePayload(value: unknown, field = 'input'): EncodedPayload {
  let json: string | undefined
  try {
    json = JSON.stringify(value, rejectLossy)
  } catch {
    // The fast path only knows that something is wrong; walk to say where.
    throw explain(value, field)
  }
  // Top-level `undefined` is sent as null, as an empty request body is on the clouds.
  json ??= 'null'
  return { json, bytes: Buffer.byteLength(json) }
}

export function decodePayload(json: string): unknown {
  return JSON.parse(json)
}

class Lossy extends Error {}

function rejectLossy(this: unknown, _key: string, value: unknown): unknown {
  if (lossyKind(value) !== undefined) throw new Lossy()
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
