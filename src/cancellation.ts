import type { CallOptions, ProviderV1 } from './provider.ts'
import { cancellable } from './retry.ts'

/**
 * `provider` with every `do*` method run under its call's signal (the
 * `CallOptions`, always its last argument): an aborted call rejects with
 * `CancelledError` before anything is sent, and at once when the signal
 * aborts while it runs, whatever error the SDK would have mapped the abort
 * to. Providers still pass the signal to their SDK calls, so the request
 * itself is abandoned too (issue #17: one rule for every provider).
 */
export function honourSignal<P extends ProviderV1>(provider: P): P {
  // By the method itself, not its name: a method replaced later (a test's spy) gets its own wrapper.
  const wrapped = new WeakMap<object, unknown>()
  return new Proxy(provider, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof key !== 'string' || !key.startsWith('do') || typeof value !== 'function') return value
      let method = wrapped.get(value)
      if (!method) {
        method = function (this: unknown, ...args: unknown[]) {
          const options = args.at(-1) as CallOptions | undefined
          // Always a promise, as the spec's methods return: an already-aborted signal rejects rather than throws.
          try {
            return cancellable(options?.signal, () => Reflect.apply(value, this, args) as Promise<unknown>)
          } catch (error) {
            return Promise.reject(error)
          }
        }
        wrapped.set(value, method)
      }
      return method
    },
  })
}
