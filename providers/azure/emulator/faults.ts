import { delay, HttpResponse } from 'msw'
import { armError } from './http.ts'

/** Which endpoint family a fault applies to. */
/** `host` is the envelope endpoint invoke calls; `http` the paths HTTP-triggered functions answer. */
export type FaultTarget = 'arm' | 'scm' | 'host' | 'http' | 'queue'

export type FaultKind =
  /** 429 with `Retry-After` (seconds). */
  | { kind: 'throttle'; retryAfterSec?: number }
  /** Any status; on ARM with an error body `{ error: { code, message } }`. */
  | { kind: 'status'; status: number; code?: string; message?: string }
  /** The connection drops before the request is handled. */
  | { kind: 'reset' }
  /** The request is handled (a function runs), then the connection drops before the answer. */
  | { kind: 'drop-response' }
  /** The request is answered normally after a pause. */
  | { kind: 'delay'; ms: number }

export type Fault = FaultKind & {
  target?: FaultTarget
  /** Tested against `METHOD /path` (e.g. `PUT /subscriptions/.../sites/app`); all requests of the target when absent. */
  match?: RegExp
  /** How many matching requests it affects (default 1). */
  times?: number
}

export interface LroFault {
  /** Extra polls that answer "in progress" before the operation ends. */
  polls?: number
  /** Ends the operation as Failed with this error. */
  error?: { code: string; message: string }
  times?: number
}

/**
 * Picks the requests random faults hit: returns one of `kinds` (the faults
 * this emulator may give that request), or undefined to spare it. A seeded
 * chooser makes a run repeatable: `seededFaults` in conformance/targets/faulty.ts.
 */
export type FaultChooser = <K extends string>(kinds: readonly K[]) => K | undefined

/**
 * Faults Azure gives and cloudfn must survive: ARM and Kudu throttle, fail
 * with 5xx, drop connections and answer slowly; a call to a function is only
 * throttled (the one failure that proves it did not run).
 */
const SURVIVABLE: Record<FaultTarget, Record<string, FaultKind>> = {
  arm: {
    throttle: { kind: 'throttle', retryAfterSec: 0 },
    'status 500': { kind: 'status', status: 500 },
    'status 503': { kind: 'status', status: 503, code: 'ServiceUnavailable', message: 'The service is unavailable.' },
    reset: { kind: 'reset' },
    delay: { kind: 'delay', ms: 30 },
  },
  scm: {
    throttle: { kind: 'throttle', retryAfterSec: 0 },
    'status 503': { kind: 'status', status: 503 },
    reset: { kind: 'reset' },
    delay: { kind: 'delay', ms: 30 },
  },
  host: { throttle: { kind: 'throttle', retryAfterSec: 0 } },
  // fetch() hands the caller whatever the platform answered, as any HTTP client gets it: nothing to survive.
  http: {},
  // Storage answers 503 ServerBusy when it throttles.
  queue: { 'status 503': { kind: 'status', status: 503 } },
}

/** Faults injected on demand; each applies to the next matching requests, then disappears. */
export class Faults {
  readonly #pending: Array<Fault & { left: number }> = []
  readonly #lro: Array<LroFault & { left: number }> = []
  #choose: FaultChooser | undefined
  /** Requests a random fault answered instead of the emulator (a delay is answered by the emulator). */
  answeredByRandomFault = 0

  /**
   * From now on `choose` may hit each request that no injected fault matches
   * (with a fault from SURVIVABLE) and each long-running operation (three more polls).
   */
  injectRandomly(choose: FaultChooser): void {
    this.#choose = choose
  }

  #randomFault(target: FaultTarget): (Fault & { left: number }) | undefined {
    const name = this.#choose?.(Object.keys(SURVIVABLE[target]))
    const fault = name === undefined ? undefined : SURVIVABLE[target][name]
    if (!fault) return undefined
    if (fault.kind !== 'delay') this.answeredByRandomFault++
    return { ...fault, target, left: 1 }
  }

  inject(fault: Fault): void {
    this.#pending.push({ ...fault, left: fault.times ?? 1 })
  }

  /** Makes the next long-running operations slow (more polls) or fail. */
  lro(fault: LroFault): void {
    this.#lro.push({ ...fault, left: fault.times ?? 1 })
  }

  /** Drops injected faults and stops random ones. */
  clear(): void {
    this.#pending.length = 0
    this.#lro.length = 0
    this.#choose = undefined
  }

  /** Answers the request: with the next matching fault, or normally through `handle`. */
  async apply(target: FaultTarget, request: Request, handle: () => Promise<Response>): Promise<Response> {
    const url = new URL(request.url)
    const line = `${request.method} ${url.pathname}`
    const index = this.#pending.findIndex(
      (fault) => (fault.target === undefined || fault.target === target) && (!fault.match || fault.match.test(line)),
    )
    const fault = this.#pending[index] ?? this.#randomFault(target)
    if (!fault) return handle()
    if (--fault.left <= 0 && index >= 0) this.#pending.splice(index, 1)
    switch (fault.kind) {
      case 'delay':
        await delay(fault.ms)
        return handle()
      case 'drop-response':
        await handle()
        return HttpResponse.error()
      case 'reset':
        return HttpResponse.error()
      case 'throttle': {
        const headers = { 'retry-after': String(fault.retryAfterSec ?? 1) }
        if (target !== 'arm') return new HttpResponse(null, { status: 429, headers })
        return armError(429, 'TooManyRequests', 'The request is being throttled.', headers)
      }
      case 'status':
        if (target !== 'arm') return new HttpResponse(fault.message ?? null, { status: fault.status })
        return armError(fault.status, fault.code ?? 'InternalServerError', fault.message ?? 'An internal error occurred.')
    }
  }

  /** Settings for the next long-running operation. */
  takeLro(): { polls: number | undefined; error: LroFault['error'] } {
    const next = this.#lro[0]
    if (!next) return { polls: this.#choose?.(['slow-operation']) && 3, error: undefined }
    if (--next.left <= 0) this.#lro.shift()
    return { polls: next.polls, error: next.error }
  }
}
