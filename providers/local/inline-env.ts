import { AsyncLocalStorage } from 'node:async_hooks'

const current = new AsyncLocalStorage<Record<string, string>>()
let installed = false

/**
 * Runs `fn` so that `process.env`, read or written inside it (in its async
 * context), is the function's own environment and nothing of the host's, as
 * in a worker or a cloud. Outside any invocation `process.env` is untouched.
 */
export function withFunctionEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  if (!installed) install()
  return current.run(env, fn)
}

function install(): void {
  installed = true
  const host = process.env
  const target = () => current.getStore() ?? host
  process.env = new Proxy(host, {
    get: (_, key) => Reflect.get(target(), key),
    set: (_, key, value) => Reflect.set(target(), key, typeof key === 'string' ? String(value) : value),
    has: (_, key) => Reflect.has(target(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key)
      // A proxy may not report a property as non-configurable unless the target has it so.
      return descriptor ? { ...descriptor, configurable: true } : undefined
    },
  })
}
