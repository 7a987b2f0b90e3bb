import { AsyncLocalStorage } from 'node:async_hooks'
import { type LogSink, routeConsole } from '../../src/runtime/console-capture.ts'

/** What belongs to the execution running in the current async context. */
export interface InlineContext {
  /** The function instance's own environment. */
  env: Record<string, string>
  log: LogSink
}

// One store for both env and logs: each AsyncLocalStorage adds a cost to every promise.
const current = new AsyncLocalStorage<InlineContext>()
let installed = false

/**
 * Runs `fn` so that, inside it, `process.env` is the function's own
 * environment (nothing of the host's) and `console.*` goes to its log, as in a
 * worker or a cloud, even while other inline executions overlap. Outside any
 * execution both behave as usual.
 */
export function runInContext<T>(context: InlineContext, fn: () => T): T {
  if (!installed) install()
  return current.run(context, fn)
}

function install(): void {
  installed = true
  routeConsole(() => current.getStore()?.log)
  const host = process.env
  const target = () => current.getStore()?.env ?? host
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
