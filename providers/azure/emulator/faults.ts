import { HttpResponse } from 'msw'
import { answerFault, type Fault, FaultQueue, type FaultRequest, type RenderedFault } from '../../../src/emulator/faults.ts'
import { armError } from './http.ts'

/** Which endpoint family a fault applies to. */
/** `host` is the envelope endpoint invoke calls; `http` the paths HTTP-triggered functions answer. */
export type FaultTarget = 'arm' | 'scm' | 'host' | 'http' | 'queue' | 'eventgrid' | 'blob'

/**
 * A fault in the emulator kit's vocabulary (src/emulator/faults.ts). On ARM a
 * throttle or a server error carries ARM's error body `{ error: { code, message } }`
 * (armError, http.ts); elsewhere (Kudu, the function host, Storage) the bare status.
 */
export type AzureFault = Fault<FaultTarget>

export interface LroFault {
  /** Extra polls that answer "in progress" before the operation ends. */
  polls?: number
  /** Ends the operation as Failed with this error. */
  error?: { code: string; message: string }
  times?: number
}

const THROTTLE: AzureFault = { kind: 'throttle', retryAfterSec: 0 }
const RESET: AzureFault = { kind: 'reset' }
const SLOW: AzureFault = { kind: 'slow', ms: 30 }

/**
 * Faults Azure gives and cloudfn must survive: ARM and Kudu throttle, fail
 * with 5xx, drop connections and answer slowly; a call to a function is only
 * throttled (the one failure that proves it did not run).
 */
const SURVIVABLE: Record<FaultTarget, Readonly<Record<string, AzureFault>>> = {
  arm: {
    throttle: THROTTLE,
    'server-error 500': { kind: 'server-error', status: 500 },
    'server-error 503': { kind: 'server-error', status: 503, code: 'ServiceUnavailable', message: 'The service is unavailable.' },
    reset: RESET,
    slow: SLOW,
  },
  scm: { throttle: THROTTLE, 'server-error 503': { kind: 'server-error', status: 503 }, reset: RESET, slow: SLOW },
  host: { throttle: THROTTLE },
  // fetch() hands the caller whatever the platform answered, as any HTTP client gets it: nothing to survive.
  http: {},
  // Storage answers 503 ServerBusy when it throttles.
  queue: { 'server-error 503': { kind: 'server-error', status: 503 } },
  // Publishing is not retried by cloudfn beyond its control-plane policy: no fault modelled yet.
  eventgrid: {},
  blob: {},
}

/** A throttle or a server error: ARM's error body on ARM, the bare status elsewhere (Kudu, the host, Storage). */
function renderFault(fault: RenderedFault<AzureFault>, arm: boolean): Response {
  if (fault.kind === 'throttle') {
    const headers = { 'retry-after': String(fault.retryAfterSec ?? 1) }
    if (!arm) return new HttpResponse(null, { status: 429, headers })
    return armError(429, 'TooManyRequests', 'The request is being throttled.', headers)
  }
  const status = fault.status ?? 500
  if (!arm) return new HttpResponse(fault.message ?? null, { status })
  return armError(status, fault.code ?? 'InternalServerError', fault.message ?? 'An internal error occurred.')
}

/** Faults injected on demand; each applies to the next matching requests, then disappears. */
export class AzureFaults extends FaultQueue<FaultTarget, AzureFault> {
  readonly #lro: Array<LroFault & { left: number }> = []

  constructor() {
    super({ invoke: 'host', survivable: (on) => SURVIVABLE[on] })
  }

  /** Makes the next long-running operations slow (more polls) or fail. */
  lro(fault: LroFault): void {
    this.#lro.push({ ...fault, left: fault.times ?? 1 })
  }

  override clear(): void {
    super.clear()
    this.#lro.length = 0
  }

  /** Answers the request: with the next matching fault, or normally through `handle`. */
  async apply(request: FaultRequest<FaultTarget>, handle: () => Promise<Response>): Promise<Response> {
    const fault = this.take(request)
    return fault ? answerFault(fault, handle, (rendered) => renderFault(rendered, request.on === 'arm')) : handle()
  }

  /** Settings for the next long-running operation. */
  takeLro(): { polls: number | undefined; error: LroFault['error'] } {
    const next = this.#lro[0]
    if (!next) return { polls: this.choose(['slow-operation']) && 3, error: undefined }
    if (--next.left <= 0) this.#lro.shift()
    return { polls: next.polls, error: next.error }
  }
}
