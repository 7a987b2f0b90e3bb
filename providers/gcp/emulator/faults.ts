import { type Fault, FaultQueue } from '../../../src/emulator/faults.ts'
import type { RpcStatus } from '../enums.ts'

/**
 * Where a fault strikes: the control APIs (Cloud Functions, Cloud Run IAM,
 * Cloud Scheduler, Pub/Sub), the signed upload URL, a function's URL called
 * as a direct invoke, or an HTTP-triggered function's URL.
 */
export type FaultTarget = 'control' | 'upload' | 'invoke' | 'http'

/**
 * A fault in the emulator kit's vocabulary (src/emulator/faults.ts). On the
 * APIs a throttle is Google's quota error (429 RESOURCE_EXHAUSTED without
 * Retry-After, google-errors.ts `rateLimitExceeded`) and a server error the
 * `{ error: { code, status } }` body (503 UNAVAILABLE, 500 INTERNAL); on a
 * function's URL they are Cloud Run's plain-text answers (function-url.ts).
 */
export type GcpFault = Fault<FaultTarget>

export interface OperationFailure {
  status: RpcStatus
  message: string
}

/**
 * Faults a real Cloud Functions deployment gives and cloudfn must survive:
 * direct invokes are only throttled. An HTTP trigger's caller gets Cloud
 * Run's answer untouched (a 429 included, which cloudfn cannot tell from the
 * handler's own), so nothing there is for cloudfn to survive.
 */
const API: Readonly<Record<string, GcpFault>> = {
  throttle: { kind: 'throttle', retryAfterSec: 0 },
  'server-error 503': { kind: 'server-error', status: 503 },
  'server-error 500': { kind: 'server-error', status: 500 },
  reset: { kind: 'reset' },
}
const SURVIVABLE: Record<FaultTarget, Readonly<Record<string, GcpFault>>> = {
  control: API,
  upload: API,
  invoke: { throttle: { kind: 'throttle', retryAfterSec: 0 } },
  http: {},
}

export class GcpFaults extends FaultQueue<FaultTarget, GcpFault> {
  readonly #operations: OperationFailure[] = []

  constructor() {
    super({ invoke: 'invoke', survivable: (on) => SURVIVABLE[on] })
  }

  /** The next `count` long-running operations end with this error (the function is left FAILED). */
  failOperations(count: number, failure: OperationFailure = { status: 'INTERNAL', message: 'Internal error' }): void {
    for (let i = 0; i < count; i++) this.#operations.push(failure)
  }

  override clear(): void {
    super.clear()
    this.#operations.length = 0
  }

  /** A failure for the operation now ending: a queued one, or (random faults on) INTERNAL, which a redeploy repairs. */
  takeOperationFailure(): OperationFailure | undefined {
    const queued = this.#operations.shift()
    if (queued) return queued
    return (
      this.choose(['operation-failed']) && {
        status: 'INTERNAL',
        message: 'An internal error occurred while rolling out the function',
      }
    )
  }
}
