import { AsyncLocalStorage } from 'node:async_hooks'
import { type LogSink, routeConsole } from './console-capture.ts'

/** What belongs to the execution running in the current async context. */
export interface ExecutionScope {
  /** The function instance's own environment: nothing of the host's. Writes by the handler stay in it. */
  env: Record<string, string>
  /** Where the execution's `console.*` calls go, one formatted line per call. */
  log: LogSink
}

// One store for env and logs both: each AsyncLocalStorage adds a cost to every promise.
const current = new AsyncLocalStorage<ExecutionScope>()
let installed = false

/**
 * Runs `fn` so that, inside it (its awaits included), `process.env` is
 * `scope.env` and `console.*` goes to `scope.log`, as in a worker or a cloud
 * instance, even while other executions in this thread overlap. Outside any
 * scope both behave as usual. For providers that run handlers in the host's
 * process (the local fake's inline isolation, examples/memory-provider); a
 * provider whose shim runs one execution at a time per thread can use
 * `routeConsole` with a plain variable instead.
 *
 * The first call replaces `process.env` with a proxy and wraps `console`'s
 * methods, for the rest of the thread: every provider that runs in-process
 * shares this one scope, so two of them never undo each other's routing.
 */
export function runInExecutionScope<T>(scope: ExecutionScope, fn: () => T): T {
  if (!installed) install()
  return current.run(scope, fn)
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
