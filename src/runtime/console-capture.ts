import { formatWithOptions } from 'node:util'
import type { LogLevel } from './context.ts'

export type LogSink = (level: LogLevel, message: string) => void

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'log', 'warn', 'error']
let currentSink: (() => LogSink | undefined) | undefined

/** Formats log arguments the way `console.log` does, on one line per call. */
export function formatLogArgs(args: readonly unknown[]): string {
  return formatWithOptions({ colors: false, breakLength: Number.POSITIVE_INFINITY }, ...args)
}

/**
 * Routes `console.*` calls to whatever sink `current` returns at the time of
 * the call; calls made while it returns undefined go to the real console.
 * Installed once per thread; the host decides how to track the current
 * execution (a variable where executions never overlap, async context where
 * they may).
 */
export function routeConsole(current: () => LogSink | undefined): void {
  if (currentSink) {
    currentSink = current
    return
  }
  currentSink = current
  for (const level of LEVELS) {
    const original = console[level].bind(console)
    console[level] = (...args: unknown[]) => {
      const sink = currentSink?.()
      if (sink) sink(level, formatLogArgs(args))
      else original(...args)
    }
  }
}
