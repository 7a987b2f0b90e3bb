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

/**
 * Picks the requests random faults hit: returns one of `kinds` (the faults
 * this emulator may give that request), or undefined to spare it. A seeded
 * chooser makes a run repeatable: `seededFaults` in conformance/targets/faulty.ts.
 */
export type FaultChooser = <K extends string>(kinds: readonly K[]) => K | undefined

/**
 * Faults the real service gives and cloudfn must survive: a sync `Invoke` is
 * only throttled (the one failure that proves the function did not run);
 * control-plane calls also get 5xx, resets and update conflicts.
 */
function survivableKinds(operation: string): readonly FaultKind[] {
  if (operation === 'Invoke') return ['throttle']
  if (operation.startsWith('Update')) return ['throttle', 'server-error', 'reset', 'update-in-progress']
  return ['throttle', 'server-error', 'reset']
}

export class FaultInjector {
  readonly #queue: Array<FaultSpec & { remaining: number }> = []
  #choose: FaultChooser | undefined
  /** Requests a random fault answered instead of the emulator. */
  answeredByRandomFault = 0

  /** From now on `choose` may hit each request that no queued fault matches, with a fault from survivableKinds. */
  injectRandomly(choose: FaultChooser): void {
    this.#choose = choose
  }

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
    if (index < 0) return this.#takeRandom(operation)
    const fault = this.#queue[index] as FaultSpec & { remaining: number }
    fault.remaining--
    if (fault.remaining === 0) this.#queue.splice(index, 1)
    return fault
  }

  #takeRandom(operation: string): FaultSpec | undefined {
    const kind = this.#choose?.(survivableKinds(operation))
    if (!kind) return undefined
    this.answeredByRandomFault++
    return { operation, kind, retryAfterSec: 0, status: 503 }
  }

  /** Faults not yet triggered. */
  get pending(): readonly FaultSpec[] {
    return this.#queue.map(({ remaining, ...spec }) => ({ ...spec, times: remaining }))
  }

  /** Drops queued faults and stops random ones. */
  clear(): void {
    this.#queue.length = 0
    this.#choose = undefined
  }
}
