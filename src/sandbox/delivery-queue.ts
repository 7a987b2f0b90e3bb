import { randomUUID } from 'node:crypto'

/**
 * At-least-once delivery as the clouds' queues do it, for the local fake
 * (the emulators model their cloud's own mechanism): messages go out in batches,
 * a failed message comes back after `retryDelayMs`, and one that failed
 * `maxDeliveries` times moves to the dead-letter list.
 */
export interface QueuedMessage {
  readonly id: string
  /** The message as sent (JSON text). */
  readonly body: string
  /** Deliveries so far, this one included once handed out. */
  deliveries: number
  readonly sentAt: number
}

export interface DeliveryQueueOptions {
  batchSize: number
  /** Deliveries before a message is dead-lettered (maxRetries + 1). */
  maxDeliveries: number
  /** Runs one batch; resolves with the ids of the messages that failed. A rejection fails the whole batch. */
  deliver(batch: readonly QueuedMessage[]): Promise<readonly string[]>
  /** Pause before a failed message is visible again (default 10 ms). */
  retryDelayMs?: number
  /** Batches in flight at once (default 4). */
  concurrency?: number
}

export class DeliveryQueue {
  /** Messages waiting for a delivery. */
  readonly waiting: QueuedMessage[] = []
  /** Messages that failed every delivery, oldest first. */
  readonly deadLetters: QueuedMessage[] = []
  /** Messages handled successfully so far. */
  delivered = 0
  private inFlight = 0
  private delayed = new Set<NodeJS.Timeout>()
  private closed = false
  private idleWaiters: Array<() => void> = []

  private options: DeliveryQueueOptions

  constructor(options: DeliveryQueueOptions) {
    this.options = options
  }

  /**
   * New settings for the deliveries to come (a function update changed its
   * trigger): messages waiting, in flight or due for a retry stay, as they
   * do in a cloud queue when its consumer changes.
   */
  reconfigure(options: Pick<DeliveryQueueOptions, 'batchSize' | 'maxDeliveries'>): void {
    this.options = { ...this.options, ...options }
    this.pump()
  }

  send(body: string): QueuedMessage {
    const message: QueuedMessage = { id: randomUUID(), body, deliveries: 0, sentAt: Date.now() }
    this.waiting.push(message)
    this.pump()
    return message
  }

  /** Resolves once nothing is waiting, in flight or due for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    for (const timer of this.delayed) timer.ref()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stops delivering; messages not yet delivered stay where they are. */
  close(): void {
    this.closed = true
    for (const timer of this.delayed) clearTimeout(timer)
    this.delayed.clear()
    this.settle()
  }

  private isIdle(): boolean {
    return this.closed || (this.waiting.length === 0 && this.inFlight === 0 && this.delayed.size === 0)
  }

  private settle(): void {
    if (!this.isIdle()) return
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4
    while (!this.closed && this.waiting.length > 0 && this.inFlight < concurrency) {
      const batch = this.waiting.splice(0, this.options.batchSize)
      for (const message of batch) message.deliveries++
      this.inFlight++
      void this.run(batch)
    }
  }

  private async run(batch: QueuedMessage[]): Promise<void> {
    let failed: ReadonlySet<string>
    try {
      failed = new Set(await this.options.deliver(batch))
    } catch {
      failed = new Set(batch.map((message) => message.id))
    }
    this.inFlight--
    for (const message of batch) {
      if (!failed.has(message.id)) this.delivered++
      else if (message.deliveries >= this.options.maxDeliveries) this.deadLetters.push(message)
      else this.retryLater(message)
    }
    this.pump()
    this.settle()
  }

  private retryLater(message: QueuedMessage): void {
    if (this.closed) return
    const timer = setTimeout(() => {
      this.delayed.delete(timer)
      this.waiting.push(message)
      this.pump()
      this.settle()
    }, this.options.retryDelayMs ?? 10)
    // A pending retry does not keep a process alive, unless someone awaits
    // idle() (the CLI's `send` on a persisted local fake): with an unref'd
    // timer that process exited mid-wait (code 13, an unsettled await).
    if (this.idleWaiters.length === 0) timer.unref()
    this.delayed.add(timer)
  }
}
