/** What a handler receives besides its input. Identical on every provider. */
export interface FunctionContext {
  /** Unique id of this execution (the cloud's request id where it has one). */
  readonly executionId: string
  readonly functionName: string
  /** True on the first execution of a fresh instance. */
  readonly coldStart: boolean
  /** Milliseconds left before the function's timeout. */
  remainingMs(): number
  /** Writes one log line for this execution (like `console.log`). */
  log(...args: unknown[]): void
}

export type LogLevel = 'debug' | 'info' | 'log' | 'warn' | 'error'
