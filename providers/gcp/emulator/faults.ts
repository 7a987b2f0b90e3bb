import type { RpcStatus } from '../enums.ts'

/** Where a fault strikes: the Cloud Functions API, the signed upload URL, or a function's URL. */
export type FaultTarget = 'control' | 'upload' | 'invoke'

/**
 * - `throttle`: 429 with `Retry-After` (and RetryInfo on the API); nothing runs.
 * - `unavailable` / `internal`: 503 / 500 before anything runs.
 * - `reset`: the connection drops before an answer.
 * - `internal-after-run` (invoke only): the function runs, then the answer is a 500.
 */
export type FaultKind = 'throttle' | 'unavailable' | 'internal' | 'reset' | 'internal-after-run'

export interface Fault {
  on: FaultTarget
  kind: FaultKind
  /** How many requests it hits (default 1). */
  times?: number
  /** Only requests with this method (e.g. `PATCH`). */
  method?: string
  /** Seconds in `Retry-After` for `throttle` (default 1). */
  retryAfterSec?: number
}

export interface OperationFailure {
  status: RpcStatus
  message: string
}

export class Faults {
  readonly #pending: Array<Fault & { remaining: number }> = []
  readonly #operations: OperationFailure[] = []

  /** Queues a fault; faults strike in the order added. */
  add(fault: Fault): void {
    this.#pending.push({ ...fault, remaining: fault.times ?? 1 })
  }

  /** The next `count` long-running operations end with this error (the function is left FAILED). */
  failOperations(count: number, failure: OperationFailure = { status: 'INTERNAL', message: 'Internal error' }): void {
    for (let i = 0; i < count; i++) this.#operations.push(failure)
  }

  clear(): void {
    this.#pending.length = 0
    this.#operations.length = 0
  }

  /** Takes the fault that applies to this request, if any. */
  take(on: FaultTarget, method: string): Fault | undefined {
    const index = this.#pending.findIndex((fault) => fault.on === on && (!fault.method || fault.method === method))
    const fault = this.#pending[index]
    if (!fault) return undefined
    if (--fault.remaining <= 0) this.#pending.splice(index, 1)
    return fault
  }

  takeOperationFailure(): OperationFailure | undefined {
    return this.#operations.shift()
  }
}
