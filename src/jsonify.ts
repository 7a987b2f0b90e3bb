/**
 * The type a value has after a JSON round trip: what a function really
 * receives and returns on any cloud. `Date` becomes `string`, functions and
 * `undefined` properties disappear. What the payload encoder refuses (`Map`,
 * `Set`, BigInt, functions, symbols) is `never`, so a handler taking or
 * returning one does not type-check as usable data.
 */
export type Jsonify<T> = T extends { toJSON(): infer J }
  ? Jsonify<J>
  : T extends string | number | boolean | null
    ? T
    : T extends
          | undefined
          | bigint
          | symbol
          | ((...args: never[]) => unknown)
          | ReadonlyMap<unknown, unknown>
          | ReadonlySet<unknown>
          | WeakMap<object, unknown>
          | WeakSet<object>
      ? never
      : T extends readonly (infer E)[]
        ? Array<Jsonify<E> extends never ? null : Jsonify<E>>
        : T extends object
          ? { [K in keyof T as Jsonify<T[K]> extends never ? never : K]: Jsonify<T[K]> }
          : unknown
