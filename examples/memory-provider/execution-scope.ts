/**
 * Gives each in-process execution its own `process.env` and routes its
 * `console.*` to its log, even while executions overlap, as a worker or a
 * cloud instance would. Written here because cloudfn does not export this
 * (the local fake has the same thing in providers/local/inline-context.ts,
 * on top of src/runtime/console-capture.ts): a finding for issue #17.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { formatWithOptions } from 'node:util'
import type { LogLevel } from 'cloudfn'

export interface ExecutionScope {
  /** The function's own environment: nothing of the host's. */
  env: Record<string, string>
  log: (level: LogLevel, message: string) => void
}

const current = new AsyncLocalStorage<ExecutionScope>()
let installed = false

/** Runs `fn` inside `scope`; outside any execution, `process.env` and `console` behave as usual. */
export function runInScope<T>(scope: ExecutionScope, fn: () => T): T {
  if (!installed) install()
  return current.run(scope, fn)
}

function install(): void {
  installed = true
  const levels: readonly LogLevel[] = ['debug', 'info', 'log', 'warn', 'error']
  for (const level of levels) {
    const original = console[level].bind(console)
    console[level] = (...args: unknown[]) => {
      const scope = current.getStore()
      // One line per call, formatted as console.log would.
      if (scope) scope.log(level, formatWithOptions({ colors: false, breakLength: Number.POSITIVE_INFINITY }, ...args))
      else original(...args)
    }
  }
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
      // A proxy may not report a property as non-configurable unless its target does.
      return descriptor ? { ...descriptor, configurable: true } : undefined
    },
  })
}
