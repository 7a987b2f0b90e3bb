/**
 * The emulator kit's fault vocabulary: what every cloud emulator
 * (providers/<cloud>/emulator/faults.ts) injects on demand, under one set of
 * names, so a test, a scenario or a fault run says the same thing to each.
 * Each emulator keeps only the rendering: a throttle or a 5xx answers in the
 * wire shape its cloud sends (each faults.ts names its reference).
 */

/** What goes wrong. */
export type FaultKind =
  /** The service refuses the call as over its rate (429, or the cloud's throttling error): nothing ran. */
  | {
      kind: 'throttle' /** Seconds in `Retry-After`, where the cloud sends one (default 1). */
      retryAfterSec?: number | undefined
    }
  /**
   * The service answers an error before anything ran, in its own error shape:
   * `status` (default 500; any error status, e.g. a 400 for a test of what is not retried),
   * `code` and `message` in the body where the shape has them.
   */
  | { kind: 'server-error'; status?: number | undefined; code?: string | undefined; message?: string | undefined }
  /** The connection drops before the request is handled. */
  | { kind: 'reset' }
  /** The request is handled normally, after a pause of `ms`. */
  | { kind: 'slow'; ms: number }
  /**
   * The request is handled (a function runs), then its answer is lost: the
   * connection drops, or the cloud's front end answers `status` when given.
   */
  | { kind: 'fail-after-run'; status?: number | undefined }

/** Which requests a fault hits: all of its fields must match (absent ones match anything). */
export interface FaultScope<On extends string> {
  /** The emulator's endpoint family (or, on AWS, API operation) it hits; see each emulator's `FaultTarget`. */
  on?: On | undefined
  /** Tested against the request's `METHOD /path` (e.g. `PUT /subscriptions/.../sites/app`). */
  match?: RegExp | undefined
  /** Only requests about this cloudfn function. */
  functionName?: string | undefined
  /** How many matching requests it hits (default 1). */
  times?: number | undefined
}

/** A fault as injected: a common kind, or one of the cloud's own (`Extra`), and where it strikes. */
export type Fault<On extends string = string, Extra extends { kind: string } = never> = (FaultKind | Extra) & FaultScope<On>

/** A request as faults see it. */
export interface FaultRequest<On extends string> {
  on: On
  /** `METHOD /path`. */
  line: string
  /** The cloudfn function the request is about, when the emulator can tell. */
  functionName?: string | undefined
}

/**
 * Picks the requests random faults hit: returns one of `kinds` (the faults
 * this emulator may give that request), or undefined to spare it. A seeded
 * chooser makes a run repeatable: `seededFaults` in conformance/targets/faulty.ts.
 */
export type FaultChooser = <K extends string>(kinds: readonly K[]) => K | undefined

/** What every emulator's `faults` offers (scenarios, fault runs and tests use only this). */
export interface EmulatorFaults<F> {
  /** Queues a fault; faults strike in the order injected. */
  inject(fault: F): void
  /** Queues `fault` for the next synchronous invokes of `functionName` (the call `handle.invoke()` makes). */
  injectInvoke(functionName: string, fault: FaultKind & { times?: number | undefined }): void
  /** From now on `choose` may hit each request no queued fault matches, with a fault the real cloud gives and cloudfn must survive. */
  injectRandomly(choose: FaultChooser): void
  /** Requests a random fault answered instead of the emulator (a `slow` one is answered by the emulator). */
  readonly answeredByRandomFault: number
  /** Faults not yet triggered, with the times left. */
  readonly pending: readonly F[]
  /** Drops queued faults and stops random ones. */
  clear(): void
}

export interface FaultQueueSpec<On extends string, F> {
  /** The target synchronous invokes arrive on. */
  invoke: On
  /** The faults the real cloud gives on `on` that cloudfn must survive, by the name a chooser picks; an empty table draws nothing. */
  survivable(on: On): Readonly<Record<string, F>>
}

/**
 * The queue behind every emulator's faults: ordered, each fault consumed
 * `times` times by the requests it matches, then random faults from the
 * cloud's survivable table. Emulators extend it with their own extras
 * (long-running operations) and render what `take` returns.
 */
export class FaultQueue<On extends string, F extends Fault<On, { kind: string }>> implements EmulatorFaults<F> {
  readonly #queue: Array<{ fault: F; left: number }> = []
  readonly #spec: FaultQueueSpec<On, F>
  #choose: FaultChooser | undefined
  answeredByRandomFault = 0

  constructor(spec: FaultQueueSpec<On, F>) {
    this.#spec = spec
  }

  inject(fault: F): void {
    const times = fault.times ?? 1
    if (!Number.isInteger(times) || times < 1) throw new Error('fault times must be a positive integer')
    this.#queue.push({ fault, left: times })
  }

  injectInvoke(functionName: string, fault: FaultKind & { times?: number | undefined }): void {
    this.inject({ ...fault, on: this.#spec.invoke, functionName } as F)
  }

  injectRandomly(choose: FaultChooser): void {
    this.#choose = choose
  }

  get pending(): readonly F[] {
    return this.#queue.map(({ fault, left }) => ({ ...fault, times: left }))
  }

  clear(): void {
    this.#queue.length = 0
    this.#choose = undefined
  }

  /** The fault this request gets, if any: the first queued one matching it (consumed once), or a random one. */
  take(request: FaultRequest<On>): F | undefined {
    const index = this.#queue.findIndex(({ fault }) => matches(fault, request))
    const entry = this.#queue[index]
    if (!entry) return this.#random(request.on)
    if (--entry.left <= 0) this.#queue.splice(index, 1)
    return entry.fault
  }

  /** For an emulator's own random faults (e.g. a long-running operation that fails): the chooser's pick, if random faults are on. */
  protected choose<K extends string>(kinds: readonly K[]): K | undefined {
    return this.#choose?.(kinds)
  }

  #random(on: On): F | undefined {
    const table = this.#spec.survivable(on)
    const name = this.#choose?.(Object.keys(table))
    const fault = name === undefined ? undefined : table[name]
    if (!fault) return undefined
    if (fault.kind !== 'slow') this.answeredByRandomFault++
    return fault
  }
}

function matches<On extends string>(fault: FaultScope<On>, request: FaultRequest<On>): boolean {
  return (
    (fault.on === undefined || fault.on === request.on) &&
    (fault.match === undefined || fault.match.test(request.line)) &&
    (fault.functionName === undefined || fault.functionName === request.functionName)
  )
}

/** `METHOD /path` of a request, what `match` is tested against. */
export function requestLine(request: Request): string {
  return `${request.method} ${new URL(request.url).pathname}`
}

/** The kinds a cloud renders in its own wire shape; the others are answered alike on every emulator. */
export type RenderedFault<F extends { kind: string }> = Exclude<F, { kind: 'slow' | 'reset' | 'fail-after-run' }>

/**
 * Answers a request a fault hit, the same way on every emulator: `slow`
 * handles it after the pause, `reset` drops the connection (`Response.error()`,
 * a network error to the client, as msw's `HttpResponse.error()`),
 * `fail-after-run` handles it and loses the answer (dropped, or `lost(status)`
 * when a status is given). A throttle, a server error and the cloud's own
 * kinds are the cloud's to render.
 */
export async function answerFault<F extends Fault<string, { kind: string }>>(
  fault: F,
  handle: () => Promise<Response>,
  render: (fault: RenderedFault<F>) => Response | Promise<Response>,
  lost: (status: number) => Response = (status) => new Response(null, { status }),
): Promise<Response> {
  switch (fault.kind) {
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, (fault as { ms: number }).ms))
      return handle()
    case 'reset':
      return Response.error()
    case 'fail-after-run': {
      await handle()
      const { status } = fault as { status?: number | undefined }
      return status === undefined ? Response.error() : lost(status)
    }
    default:
      return render(fault as RenderedFault<F>)
  }
}
