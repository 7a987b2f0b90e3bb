import type { RemoteError } from '../runtime/envelope.ts'
import type { InstancePool } from './instance-pool.ts'
import { withTimeout } from './timeout.ts'

/** What every sandbox (worker threads or child processes) is created with. */
export interface SandboxSettings {
  /** Provider name reported on errors. */
  provider: string
  /** Function name, for messages. */
  name: string
  /** Script each instance runs; it calls `serveSandbox`. */
  workerFile: string
  /** Handed to the script as `workerData` (structured-cloned). */
  workerData?: unknown
  env: Readonly<Record<string, string>>
  memoryMb: number
  timeoutSec: number
  maxInstances: number
}

export type SandboxOutcome<R> =
  | { kind: 'result'; result: R; coldStart: boolean }
  /** The code crashed (threw while loading, or exited) without answering. */
  | { kind: 'crash'; error: RemoteError; coldStart: boolean }

export interface Sandbox<M, R> {
  /**
   * Runs one request on a warm or new instance. Throws `ThrottledError` when
   * all `maxInstances` are busy, `TimeoutError` (the instance is killed) and
   * `OutOfMemoryError`. `onStart` is called once an instance accepted it.
   */
  run(message: M, onStart?: () => void): Promise<SandboxOutcome<R>>
  /** Stops idle instances now and busy ones when they finish. */
  retire(): Promise<void>
  /** Resolves once retired and every instance is gone, busy ones included. */
  drained(): Promise<void>
  /** Instances alive, busy or idle. */
  readonly size: number
}

/**
 * The `Sandbox` both kinds share around their own `execute`: take a warm or
 * new instance, run under the function's timeout, and never reuse an instance
 * that timed out (it was killed, as Lambda does), crashed or ran out of memory.
 */
export function pooledSandbox<I extends { readonly exited: boolean }, M, R>(
  pool: InstancePool<I>,
  execute: (instance: I, message: M) => Promise<SandboxOutcome<R>>,
  settings: SandboxSettings,
): Sandbox<M, R> {
  return {
    async run(message, onStart) {
      const acquired = pool.acquire()
      const instance = acquired instanceof Promise ? await acquired : acquired
      onStart?.()
      let discard = true
      try {
        const outcome = await withTimeout(execute(instance, message), settings)
        discard = false
        return outcome
      } finally {
        await pool.release(instance, discard || instance.exited)
      }
    },
    retire: () => pool.retire(),
    drained: () => pool.drained(),
    get size() {
      return pool.size
    },
  }
}
