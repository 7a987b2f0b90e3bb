import type { RpcStatus } from '../enums.ts'

/**
 * Where a fault strikes: the control APIs (Cloud Functions, Cloud Run IAM,
 * Cloud Scheduler, Pub/Sub), the signed upload URL, a function's URL called
 * as a direct invoke, or an HTTP-triggered function's URL.
 */
export type FaultTarget = 'control' | 'upload' | 'invoke' | 'http'

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
  /** Seconds in `Retry-After` for `throttle` on a function URL (default 1); API quota errors carry none, as on GCP. */
  retryAfterSec?: number
}

export interface OperationFailure {
  status: RpcStatus
  message: string
}

/**
 * Picks the requests random faults hit: returns one of `kinds` (the faults
 * this emulator may give that request), or undefined to spare it. A seeded
 * chooser makes a run repeatable: `seededFaults` in conformance/targets/faulty.ts.
 */
export type FaultChooser = <K extends string>(kinds: readonly K[]) => K | undefined

/**
 * Faults a real Cloud Functions deployment gives and cloudfn must survive:
 * direct invokes are only throttled. An HTTP trigger's caller gets Cloud
 * Run's answer untouched (a 429 included, which cloudfn cannot tell from the
 * handler's own), so nothing there is for cloudfn to survive.
 */
const SURVIVABLE: Record<FaultTarget, readonly FaultKind[]> = {
  control: ['throttle', 'unavailable', 'internal', 'reset'],
  upload: ['throttle', 'unavailable', 'internal', 'reset'],
  invoke: ['throttle'],
  http: [],
}

export class Faults {
  readonly #pending: Array<Fault & { remaining: number }> = []
  readonly #operations: OperationFailure[] = []
  #choose: FaultChooser | undefined
  /** Requests a random fault answered instead of the emulator. */
  answeredByRandomFault = 0

  /**
   * From now on `choose` may hit each request that no added fault matches
   * (with a fault from SURVIVABLE) and each build (INTERNAL, which a redeploy repairs).
   */
  injectRandomly(choose: FaultChooser): void {
    this.#choose = choose
  }

  /** Queues a fault; faults strike in the order added. */
  add(fault: Fault): void {
    this.#pending.push({ ...fault, remaining: fault.times ?? 1 })
  }

  /** The next `count` long-running operations end with this error (the function is left FAILED). */
  failOperations(count: number, failure: OperationFailure = { status: 'INTERNAL', message: 'Internal error' }): void {
    for (let i = 0; i < count; i++) this.#operations.push(failure)
  }

  /** Drops added faults and stops random ones. */
  clear(): void {
    this.#pending.length = 0
    this.#operations.length = 0
    this.#choose = undefined
  }

  /** Takes the fault that applies to this request, if any. */
  take(on: FaultTarget, method: string): Fault | undefined {
    const index = this.#pending.findIndex((fault) => fault.on === on && (!fault.method || fault.method === method))
    const fault = this.#pending[index]
    if (!fault) {
      const kind = this.#choose?.(SURVIVABLE[on])
      if (kind) this.answeredByRandomFault++
      return kind && { on, kind, retryAfterSec: 0 }
    }
    if (--fault.remaining <= 0) this.#pending.splice(index, 1)
    return fault
  }

  takeOperationFailure(): OperationFailure | undefined {
    const queued = this.#operations.shift()
    if (queued) return queued
    return (
      this.#choose?.(['operation-failed']) && {
        status: 'INTERNAL',
        message: 'An internal error occurred while rolling out the function',
      }
    )
  }
}
