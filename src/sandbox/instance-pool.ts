import { ThrottledError } from '../errors/throttled.ts'

export interface PoolOptions<T> {
  /** Provider name reported on errors. */
  provider: string
  functionName: string
  maxInstances: number
  create: () => Promise<T>
  destroy: (instance: T) => Promise<void> | void
}

/**
 * Instances of one deployed function, as a cloud keeps them: an idle warm
 * instance is reused, a new one is started (a cold start) while under the
 * limit, and beyond it the call is refused with `ThrottledError`.
 */
export class InstancePool<T> {
  readonly #idle: T[] = []
  readonly #all = new Set<T>()
  #retired = false
  private readonly options: PoolOptions<T>

  constructor(options: PoolOptions<T>) {
    this.options = options
  }

  /** A warm instance synchronously when one is idle (the hot path), else a promise of a new one. */
  acquire(): T | Promise<T> {
    const warm = this.#idle.pop()
    return warm ?? this.#start()
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
      return instance
    } finally {
      this.#all.delete(placeholder)
    }
  }

  /** Puts an instance back, or discards it (after a timeout or crash, as a cloud would). */
  release(instance: T, discard = false): void | Promise<void> {
    if (discard || this.#retired) {
      this.#all.delete(instance)
      return this.options.destroy(instance)
    }
    this.#idle.push(instance)
  }

  get size(): number {
    return this.#all.size
  }

  /** Stops idle instances now; busy ones stop when released (so in-flight calls finish on old code). */
  async retire(): Promise<void> {
    this.#retired = true
    const idle = this.#idle.splice(0)
    for (const instance of idle) this.#all.delete(instance)
    await Promise.all(idle.map((instance) => this.options.destroy(instance)))
  }
}
