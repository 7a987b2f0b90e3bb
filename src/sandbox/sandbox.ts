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
 * What `execute` answers when the instance ended before it received the
 * request: the request never started, so it goes to another instance, as a
 * cloud routes work only to live instances (Lambda hands an event only to a
 * runtime that asks `/next`; the Functions host holds invocations while a
 * crashed worker restarts: azure-functions-host RpcFunctionInvocationDispatcher,
 * state WorkerProcessRestarting). The host learns of an end only when its
 * event loop gets to it, which on a loaded machine can come after it sent
 * another request to the ended instance.
 */
export const UNDELIVERED = Symbol('cloudfn.sandbox.undelivered')

/** Bound on handing one request to another instance: instances that keep ending before reading it are a crash. */
const MAX_DELIVERIES = 3

/**
 * The `Sandbox` both kinds share around their own `execute`: take a warm or
 * new instance, run under the function's timeout, and never reuse an instance
 * that timed out (it was killed, as Lambda does), crashed or ran out of memory.
 */
export function pooledSandbox<I extends { readonly exited: boolean }, M, R>(
  pool: InstancePool<I>,
  execute: (instance: I, message: M) => Promise<SandboxOutcome<R> | typeof UNDELIVERED>,
  settings: SandboxSettings,
): Sandbox<M, R> {
  return {
    async run(message, onStart) {
      for (let delivery = 1; ; delivery++) {
        const acquired = pool.acquire()
        const instance = acquired instanceof Promise ? await acquired : acquired
        // Once per request: a redelivery is the same execution.
        if (delivery === 1) onStart?.()
        let discard = true
        try {
          const outcome = await withTimeout(execute(instance, message), settings)
          discard = false
          if (outcome !== UNDELIVERED) return outcome
          if (delivery >= MAX_DELIVERIES) {
            const error = {
              name: 'Error',
              message: `The function's instances ended ${delivery} times before receiving the request`,
            }
            return { kind: 'crash', error, coldStart: true }
          }
        } finally {
          await pool.release(instance, discard || instance.exited)
        }
      }
    },
    retire: () => pool.retire(),
    drained: () => pool.drained(),
    get size() {
      return pool.size
    },
  }
}
