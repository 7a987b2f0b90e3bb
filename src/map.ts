import type { CloudfnError } from './errors/cloudfn-error.ts'

/** What every map result says of cost (USD, free tier not subtracted; see `meta.cost` of `invokeDetailed`). */
export interface MapCost {
  /** What this input's execution cost; 0 when it never ran or its cost is unknown (a platform failure). */
  costUsd: number
  /** The map's running total when this result was given: what the inputs finished so far cost. */
  totalUsd: number
}

export type MapResult<O> = ({ index: number; ok: true; value: O } | { index: number; ok: false; error: CloudfnError }) & MapCost

export interface MapProgress {
  /** Inputs finished, successfully or not. */
  done: number
  failed: number
  inFlight: number
  /** What the finished inputs cost so far, in USD (the sum of their results' `costUsd`). */
  costUsd: number
}

export interface MapOptions {
  /** Invocations in flight at once, 1 to 1000 (default 10). */
  concurrency?: number
  /** Stops taking new inputs; inputs already taken finish as `Cancelled` if still pending. */
  signal?: AbortSignal
  onProgress?: (progress: MapProgress) => void
}

/**
 * Runs `task` over inputs with bounded concurrency and yields each result as
 * it completes, so memory stays flat however many inputs there are. Every
 * input taken gets exactly one result or one error. `task` must reject
 * promptly (with `CancelledError`) once the signal it is given aborts; it is
 * given none when nothing can cancel the map.
 */
export async function* mapUnordered<I, O>(
  inputs: Iterable<I> | AsyncIterable<I>,
  /** `charge` adds what the input's execution cost (called before the task settles). */
  task: (input: I, signal: AbortSignal | undefined, charge: (usd: number) => void) => Promise<O>,
  options: {
    concurrency: number
    signal?: AbortSignal | undefined
    onProgress?: ((p: MapProgress) => void) | undefined
    toError: (e: unknown) => CloudfnError
  },
): AsyncGenerator<MapResult<O>> {
  const iterator = Symbol.asyncIterator in inputs ? inputs[Symbol.asyncIterator]() : inputs[Symbol.iterator]()
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const progress: MapProgress = { done: 0, failed: 0, inFlight: 0, costUsd: 0 }
  const ready: MapResult<O>[] = []
  let wake: (() => void) | undefined
  let index = 0
  let exhausted = false

  /** What `onProgress` threw: the map rejects with it and takes no new input. */
  const callback: { failed: boolean; error?: unknown } = { failed: false }

  const settle = (result: MapResult<O>) => {
    // Counted when settled, so each result's total is exactly the sum of the results given so far.
    progress.costUsd += result.costUsd
    result.totalUsd = progress.costUsd
    progress.inFlight--
    progress.done++
    if (!result.ok) progress.failed++
    ready.push(result)
    if (!callback.failed) {
      try {
        options.onProgress?.({ ...progress })
      } catch (error) {
        callback.failed = true
        callback.error = error
        controller.abort(error)
      }
    }
    wake?.()
  }

  // Only a map that can be cancelled (by the caller's signal, or by an onProgress that throws) gives each
  // task a signal of its own: a controller and a listener per input are most of what a task allocates
  // besides the call itself, and allocation while inputs are in flight is what grows the heap.
  const cancellable = options.signal !== undefined || options.onProgress !== undefined

  const launch = (input: I) => {
    const at = index++
    progress.inFlight++
    let costUsd = 0
    const charge = (usd: number) => {
      costUsd += usd
    }
    const succeeded = (value: O) => settle({ index: at, ok: true, value, costUsd, totalUsd: 0 })
    const failed = (error: unknown) => settle({ index: at, ok: false, error: options.toError(error), costUsd, totalUsd: 0 })
    if (!cancellable) {
      task(input, undefined, charge).then(succeeded, failed)
      return
    }
    // The task gets a signal and rejects with CancelledError when it fires; racing
    // every task against one shared promise instead would keep a reaction per input alive.
    // Each task has its own signal, tied to the map's for as long as it runs: fetch (GCP,
    // Azure) leaves its listener on the signal it was given until the request is collected,
    // so the map's own signal would otherwise gather one per input.
    const own = new AbortController()
    const forward = () => own.abort(controller.signal.reason)
    controller.signal.addEventListener('abort', forward, { once: true })
    task(input, own.signal, charge).then(
      (value) => {
        controller.signal.removeEventListener('abort', forward)
        succeeded(value)
      },
      (error: unknown) => {
        controller.signal.removeEventListener('abort', forward)
        failed(error)
      },
    )
  }

  try {
    for (;;) {
      while (progress.inFlight < options.concurrency && !exhausted && !controller.signal.aborted) {
        const next = await iterator.next()
        if (next.done) exhausted = true
        else launch(next.value)
      }
      if (ready.length === 0 && progress.inFlight === 0) return
      if (callback.failed) throw callback.error
      if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
      if (callback.failed) throw callback.error
      while (ready.length > 0) yield ready.shift() as MapResult<O>
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    if (!exhausted) await iterator.return?.()
  }
}
