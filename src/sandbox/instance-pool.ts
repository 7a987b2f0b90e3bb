import { ThrottledError } from '../errors/throttled.ts'

export interface PoolOptions<T> {
  /** Provider name reported on errors. */
  provider: string
  functionName: string
  maxInstances: number
  /**
   * Requests one instance takes at once (default 1). Lambda sends an
   * execution environment one event at a time; a Cloud Run instance takes up
   * to its `maxInstanceRequestConcurrency` requests and an Azure Functions
   * worker process serves invocations concurrently.
   */
  concurrency?: number
  create: () => Promise<T>
  destroy: (instance: T) => Promise<void> | void
  /**
   * False for an instance that ended while idle (an error escaping after its
   * reply, a late `process.exit`): a cloud starts a fresh one for the next
   * request rather than hand it the dead one's error. Default: always alive.
   */
  alive?: (instance: T) => boolean
}

/**
 * Instances of one deployed function, as a cloud keeps them: a warm instance
 * with room is reused, a new one is started (a cold start) while under the
 * limit, and beyond it the call is refused with `ThrottledError`.
 */
export class InstancePool<T> {
  /** Instances with room for another request, the most recently used last. */
  readonly #available: T[] = []
  /** Requests in flight per instance (alive instances only). */
  readonly #busy = new Map<T, number>()
  readonly #all = new Set<T>()
  #retired = false
  /** Waiting for the pool to be retired and empty. */
  readonly #drainedWaiters: Array<() => void> = []
  private readonly options: PoolOptions<T>

  constructor(options: PoolOptions<T>) {
    this.options = options
  }

  get #concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 1)
  }

  /** A warm instance synchronously when one has room (the hot path), else a promise of a new one. */
  acquire(): T | Promise<T> {
    let warm = this.#available.at(-1)
    while (warm !== undefined && this.options.alive?.(warm) === false && this.#busy.get(warm) === 0) {
      void this.#discard(warm)
      warm = this.#available.at(-1)
    }
    if (warm === undefined) return this.#start()
    this.#take(warm)
    return warm
  }

  #take(instance: T): void {
    const busy = (this.#busy.get(instance) ?? 0) + 1
    this.#busy.set(instance, busy)
    if (busy >= this.#concurrency) {
      const index = this.#available.lastIndexOf(instance)
      if (index >= 0) this.#available.splice(index, 1)
    } else if (!this.#retired && !this.#available.includes(instance)) this.#available.push(instance)
  }

  async #start(): Promise<T> {
    if (this.#all.size >= this.options.maxInstances) {
      throw new ThrottledError({
        provider: this.options.provider,
        message: `Function '${this.options.functionName}' is at its limit of ${this.options.maxInstances} concurrent executions; retry later or raise maxInstances`,
      })
    }
    const placeholder = {} as T
    this.#all.add(placeholder)
    try {
      const instance = await this.options.create()
      this.#all.add(instance)
      this.#take(instance)
      return instance
    } finally {
      this.#all.delete(placeholder)
      this.#checkDrained()
    }
  }

  /**
   * Ends one request on an instance. `discard` stops the instance now (after
   * a timeout or crash, as a cloud would), with whatever else it was running.
   */
  release(instance: T, discard = false): void | Promise<void> {
    const busy = (this.#busy.get(instance) ?? 1) - 1
    if (!this.#all.has(instance)) return // already discarded by another request on it
    if (discard || (this.#retired && busy === 0)) return this.#discard(instance)
    this.#busy.set(instance, busy)
    if (this.#retired) return
    const index = this.#available.lastIndexOf(instance)
    if (index >= 0) this.#available.splice(index, 1)
    this.#available.push(instance)
  }

  #discard(instance: T): void | Promise<void> {
    this.#all.delete(instance)
    this.#busy.delete(instance)
    const index = this.#available.lastIndexOf(instance)
    if (index >= 0) this.#available.splice(index, 1)
    const destroyed = this.options.destroy(instance)
    if (!(destroyed instanceof Promise)) return this.#checkDrained()
    return destroyed.finally(() => this.#checkDrained())
  }

  #checkDrained(): void {
    if (!this.#retired || this.#all.size > 0) return
    for (const resolve of this.#drainedWaiters.splice(0)) resolve()
  }

  /**
   * Resolves once the pool is retired and its last instance is gone (busy
   * ones finish first): what instances used (their unpacked code, log
   * folders) can then be removed.
   */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.#drainedWaiters.push(resolve)
      this.#checkDrained()
    })
  }

  get size(): number {
    return this.#all.size
  }

  /** Stops idle instances now; busy ones stop when released (so in-flight calls finish on old code). */
  async retire(): Promise<void> {
    this.#retired = true
    const idle = [...this.#all].filter((instance) => this.#busy.get(instance) === 0)
    this.#available.splice(0)
    await Promise.all(idle.map((instance) => this.#discard(instance)))
    this.#checkDrained()
  }
}
