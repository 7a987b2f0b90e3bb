/**
 * The type a value has after a JSON round trip: what a function really
 * receives and returns on any cloud. `Date` becomes `string`, functions and
 * `undefined` properties disappear.
 */
export type Jsonify<T> = T extends { toJSON(): infer J }
  ? Jsonify<J>
  : T extends string | number | boolean | null
    ? T
    : T extends undefined | bigint | symbol | ((...args: never[]) => unknown)
      ? never
      : T extends readonly (infer E)[]
        ? Array<Jsonify<E> extends never ? null : Jsonify<E>>
        : T extends object
          ? { [K in keyof T as Jsonify<T[K]> extends never ? never : K]: Jsonify<T[K]> }
          : unknown
