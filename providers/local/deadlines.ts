/**
 * One timer for all executions of a runner instead of one `setTimeout` per
 * call: arming and clearing a timer per inline invoke cost about 5 % of it in
 * a CPU profile. Every execution of a runner has the same timeout, so
 * deadlines come in start order and a FIFO is enough: the timer waits for the
 * oldest deadline, times out what has expired and waits for the next.
 */
export class Deadlines {
  readonly #timeoutMs: number
  /** Executions not yet finished or timed out, oldest first. */
  readonly #pending: Array<Watched> = []
  #timer: NodeJS.Timeout | undefined
  #live = 0

  readonly #now: () => number

  /** `now` is injectable so tests can drive time with fake timers. */
  constructor(timeoutMs: number, now: () => number = () => performance.now()) {
    this.#timeoutMs = timeoutMs
    this.#now = now
  }

  /**
   * Calls `onTimeout` once `timeoutMs` has passed unless the returned `done`
   * is called first. While any execution is watched the timer holds the
   * event loop open, as a per-call timer did: a handler awaiting forever
   * still ends in a timeout instead of a silently exiting process.
   */
  watch(onTimeout: () => void): () => void {
    const watched: Watched = { deadline: this.#now() + this.#timeoutMs, onTimeout }
    this.#pending.push(watched)
    if (++this.#live === 1) this.#arm()
    return () => {
      if (watched.onTimeout === undefined) return
      watched.onTimeout = undefined
      // The oldest entries are dropped here so that sequential calls never let the queue grow.
      while (this.#pending[0]?.onTimeout === undefined && this.#pending.length > 0) this.#pending.shift()
      // Behind one execution still running, finished ones pile up until it ends (rate × timeout of them):
      // once most of the queue is finished, keep only the live ones, in order (amortised O(1) per call).
      if (this.#pending.length > 64 && this.#live * 2 < this.#pending.length) this.#compact()
      // Idle: the timer stays but no longer keeps the process alive (cheaper than clearing and re-arming).
      if (--this.#live === 0) this.#timer?.unref()
    }
  }

  #compact(): void {
    let kept = 0
    for (const watched of this.#pending) if (watched.onTimeout !== undefined) this.#pending[kept++] = watched
    this.#pending.length = kept
  }

  /** Entries held, finished ones included (for tests: the queue stays bounded). */
  get held(): number {
    return this.#pending.length
  }

  #arm(): void {
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#expire(), this.#timeoutMs)
      return
    }
    this.#timer.ref()
  }

  #expire(): void {
    this.#timer = undefined
    const now = this.#now()
    for (;;) {
      const head = this.#pending[0]
      if (head === undefined) return
      if (head.onTimeout !== undefined && head.deadline > now) break
      this.#pending.shift()
      const onTimeout = head.onTimeout
      if (onTimeout === undefined) continue
      head.onTimeout = undefined
      this.#live--
      onTimeout()
    }
    const next = this.#pending[0]
    if (next) {
      // The oldest live deadline; a timer never fires early, so at worst the check comes a little late.
      this.#timer = setTimeout(() => this.#expire(), Math.max(1, Math.ceil(next.deadline - now)))
      if (this.#live === 0) this.#timer.unref()
    }
  }
}

interface Watched {
  deadline: number
  /** Cleared once the execution finished or timed out. */
  onTimeout: (() => void) | undefined
}
