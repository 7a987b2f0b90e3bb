import { AsyncLocalStorage } from 'node:async_hooks'
import { formatWithOptions } from 'node:util'
import type { LogLevel } from './context.ts'

export type LogSink = (level: LogLevel, message: string) => void

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'log', 'warn', 'error']
const current = new AsyncLocalStorage<LogSink>()
let installed = false

/** Formats log arguments the way `console.log` does, on one line per call. */
export function formatLogArgs(args: readonly unknown[]): string {
  return formatWithOptions({ colors: false, breakLength: Number.POSITIVE_INFINITY }, ...args)
}

/**
 * Runs `fn` with every `console.*` call made inside it (in its async context)
 * sent to `sink`. Calls made outside any capture go to the real console, so
 * concurrent invocations in one thread keep their logs apart.
 */
export function withConsoleCapture<T>(sink: LogSink, fn: () => Promise<T>): Promise<T> {
  if (!installed) install()
  return current.run(sink, fn)
}

function install(): void {
  installed = true
  for (const level of LEVELS) {
    const original = console[level].bind(console)
    console[level] = (...args: unknown[]) => {
      const sink = current.getStore()
      if (sink) sink(level, formatLogArgs(args))
      else original(...args)
    }
  }
}
