import { InvalidArgumentError } from './errors/invalid-argument.ts'

/**
 * The slow path of the payload codec, used when `JSON.stringify` with the
 * lossy-value replacer threw: the same encoding as `JSON.stringify`
 * (ECMA-262 SerializeJSONProperty / SerializeJSONObject / SerializeJSONArray:
 * `toJSON`, boxed primitives unwrapped, `undefined` dropped or `null` in
 * arrays, non-finite numbers as `null`), but with an explicit stack instead
 * of recursion, so nesting is bounded by memory, not by the call stack
 * (V8's `JSON.stringify` with a replacer overflows near 3,000 levels, without
 * one near 10,000). What JSON would lose or cannot encode is reported as an
 * `InvalidArgumentError` naming its path, e.g. `input.b` for a boxed BigInt.
 */
export function encodeWalking(root: unknown, field: string): string {
  const frames: Frame[] = []
  // The arrays and objects being encoded (the frames' values), for cycles in O(1).
  const open = new Set<object>()
  // The path of the value being encoded, built only when an error needs it.
  const pathTo = (key: string | number | undefined) => {
    let path = field
    for (const frame of frames) path += step(frame.key)
    return key === undefined ? path : path + step(key)
  }
  let out = ''
  // Encodes a leaf, or opens a frame for an array or object (whose text is then written as its items come).
  const emit = (value: unknown, key: string | number | undefined, inArray: boolean): boolean => {
    const prepared = prepare(value, key, pathTo)
    if (prepared === undefined) {
      if (inArray) out += 'null'
      return inArray
    }
    if (typeof prepared !== 'object' || prepared === null) {
      out += JSON.stringify(prepared)
      return true
    }
    if (open.has(prepared)) {
      const path = pathTo(key)
      throw new InvalidArgumentError({
        field: path,
        message: `${path} refers back to itself (a cycle); JSON cannot encode cycles`,
      })
    }
    const keys = Array.isArray(prepared) ? undefined : Object.keys(prepared)
    frames.push({ value: prepared, keys, index: 0, key, wrote: false })
    open.add(prepared)
    out += keys ? '{' : '['
    return true
  }
  if (!emit(root, undefined, false)) return 'null'
  while (frames.length > 0) {
    const frame = frames[frames.length - 1] as Frame
    const { value, keys } = frame
    const length = keys ? keys.length : (value as unknown[]).length
    if (frame.index >= length) {
      frames.pop()
      open.delete(value)
      out += keys ? '}' : ']'
      continue
    }
    const index = frame.index++
    if (keys) {
      const name = keys[index] as string
      const child = (value as Record<string, unknown>)[name]
      // A property JSON drops (undefined) writes nothing, not even its key: written after preparing it.
      const mark = out.length
      out += `${frame.wrote ? ',' : ''}${JSON.stringify(name)}:`
      if (emit(child, name, false)) frame.wrote = true
      else out = out.slice(0, mark)
    } else {
      if (index > 0) out += ','
      emit((value as unknown[])[index], index, true)
    }
  }
  return out
}

interface Frame {
  value: object
  /** Own enumerable string keys of an object; undefined for an array. */
  keys: string[] | undefined
  index: number
  /** This value's key in its parent (undefined for the root). */
  key: string | number | undefined
  /** Whether an object frame has written a property yet (for commas). */
  wrote: boolean
}

const step = (key: string | number | undefined) => (key === undefined ? '' : typeof key === 'number' ? `[${key}]` : `.${key}`)

/**
 * What JSON encodes for `value` (after `toJSON` and unwrapping boxed
 * primitives): a primitive, an array or object to walk, or undefined for
 * a value JSON drops. Throws for what cloudfn refuses.
 */
function prepare(
  value: unknown,
  key: string | number | undefined,
  pathTo: (key: string | number | undefined) => string,
): unknown {
  let current = value
  if ((typeof current === 'object' && current !== null) || typeof current === 'bigint') {
    const toJSON = (current as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') current = toJSON.call(current, key === undefined ? '' : String(key))
  }
  const kind = lossyKind(current)
  if (kind) {
    const path = pathTo(key)
    throw new InvalidArgumentError({ field: path, message: `${path} is ${kind}` })
  }
  if (current instanceof Number) return Number(current)
  if (current instanceof String) return String(current)
  if (current instanceof Boolean) return current.valueOf()
  if (current === undefined) return undefined
  if (typeof current === 'number') return Number.isFinite(current) ? current : null
  return current
}

/** What cloudfn refuses rather than let JSON lose silently (or fail on), with how to fix it. */
export function lossyKind(value: unknown): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return 'a BigInt (convert it to a string or number)'
    case 'function':
      return 'a function (functions cannot be sent)'
    case 'symbol':
      return 'a symbol (symbols cannot be sent)'
  }
  // Boxed (Object(1n)): JSON.stringify unwraps it and fails as for a BigInt.
  if (value instanceof BigInt) return 'a BigInt (convert it to a string or number)'
  if (value instanceof Map) return 'a Map (convert it with Object.fromEntries)'
  if (value instanceof Set) return 'a Set (convert it with Array.from)'
  return undefined
}
