/**
 * Faults the emulator injects on demand, so tests can prove each retry path:
 * `emulator.faults.inject({ operation: 'Invoke', kind: 'throttle', times: 2 })`.
 */
export type FaultKind =
  /** 429 (Lambda TooManyRequestsException with Retry-After; Throttling on IAM and Logs). The call did nothing. */
  | 'throttle'
  /** 5xx ServiceException (status 500 unless given). */
  | 'server-error'
  /** The connection is reset before the request is processed. */
  | 'reset'
  /** Invoke only: the function runs, then the connection is reset before the answer arrives. */
  | 'reset-after-execution'
  /** CreateFunction / UpdateFunctionConfiguration: the IAM role is not assumable yet. */
  | 'role-not-assumable'
  /** 409 ResourceConflictException: an update is in progress. */
  | 'update-in-progress'

export interface FaultSpec {
  /** API operation name, e.g. `Invoke`, `CreateFunction`, `GetFunction`, `CreateRole`, `FilterLogEvents`; `*` for any. */
  operation: string
  kind: FaultKind
  /** How many matching requests fail (default 1). */
  times?: number
  /** Only requests about this function. */
  functionName?: string
  /** Retry-After of a throttle, in seconds (default 1). */
  retryAfterSec?: number
  /** Status of a server error (default 500). */
  status?: number
}

export class FaultInjector {
  readonly #queue: Array<FaultSpec & { remaining: number }> = []

  inject(spec: FaultSpec): void {
    const times = spec.times ?? 1
    if (!Number.isInteger(times) || times < 1) throw new Error('fault times must be a positive integer')
    this.#queue.push({ ...spec, remaining: times })
  }

  /** The first fault matching this request, consumed once. */
  take(operation: string, functionName?: string): FaultSpec | undefined {
    const index = this.#queue.findIndex(
      (fault) =>
        (fault.operation === operation || fault.operation === '*') &&
        (fault.functionName === undefined || fault.functionName === functionName),
    )
    if (index < 0) return undefined
    const fault = this.#queue[index] as FaultSpec & { remaining: number }
    fault.remaining--
    if (fault.remaining === 0) this.#queue.splice(index, 1)
    return fault
  }

  /** Faults not yet triggered. */
  get pending(): readonly FaultSpec[] {
    return this.#queue.map(({ remaining, ...spec }) => ({ ...spec, times: remaining }))
  }

  clear(): void {
    this.#queue.length = 0
  }
}
