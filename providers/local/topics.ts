import { randomUUID } from 'node:crypto'
import { NotFoundError } from '../../src/errors/not-found.ts'
import type { PublishRequest } from '../../src/provider.ts'
import { DeliveryQueue } from '../../src/sandbox/delivery-queue.ts'
import { topicNames, topicRetries } from '../../src/triggers/topic.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { deliverTo } from './deliver.ts'
import type { RunOutcome } from './runner.ts'

/** Retries of a subscriber's copy when `topic()` leaves them out: Lambda's asynchronous default, which SNS delivery uses. */
export const LOCAL_TOPIC_DEFAULT_RETRIES = 2

interface Subscriber {
  /** This subscriber's own copy of each message, with its retries and dead letter. */
  queue: DeliveryQueue
  deadLetter: string
}

interface LocalTopic {
  /** By function name. */
  subscribers: Map<string, Subscriber>
}

/**
 * The local fake's topics: one in-memory topic per name, created by the
 * first subscriber's deploy, with a delivery queue per subscriber so that
 * each function gets every message and retries (and dead-letters) its own
 * copy without holding back the others, as an SNS topic with one Lambda
 * subscription per function does. The topic belongs to no single function:
 * it goes when its last subscriber does.
 */
export class LocalTopics {
  readonly #topics = new Map<string, LocalTopic>()
  readonly #execute: (name: string, payload: string, executionId: string) => Promise<RunOutcome>
  readonly #retryDelayMs: number

  constructor(options: {
    execute: (name: string, payload: string, executionId: string) => Promise<RunOutcome>
    retryDelayMs: number
  }) {
    this.#execute = options.execute
    this.#retryDelayMs = options.retryDelayMs
  }

  /** Subscribes the function to its trigger's topic (leaving any other topic it read); undefined or another kind unsubscribes. */
  attach(name: string, trigger: Trigger | undefined): void {
    const wanted = trigger?.kind === 'topic' ? topicNames(trigger, name) : undefined
    for (const [topicName, topic] of this.#topics) {
      if (topicName !== wanted?.topic) this.#unsubscribe(topicName, topic, name)
    }
    if (trigger?.kind !== 'topic' || !wanted) return
    const settings = { batchSize: 1, maxDeliveries: topicRetries(trigger, { default: LOCAL_TOPIC_DEFAULT_RETRIES }) + 1 }
    let topic = this.#topics.get(wanted.topic)
    if (!topic) {
      topic = { subscribers: new Map() }
      this.#topics.set(wanted.topic, topic)
    }
    const existing = topic.subscribers.get(name)
    if (existing) {
      // The same subscription, updated: copies waiting or due for a retry are kept, as a subscription's are.
      existing.queue.reconfigure(settings)
      existing.deadLetter = wanted.deadLetter
      return
    }
    const queue = new DeliveryQueue({
      ...settings,
      retryDelayMs: this.#retryDelayMs,
      deliver: deliverTo(this.#execute, name),
    })
    topic.subscribers.set(name, { queue, deadLetter: wanted.deadLetter })
  }

  publish(request: PublishRequest): { messageId: string } {
    const topic = this.#topics.get(request.topic)
    if (!topic) {
      throw new NotFoundError({
        provider: 'local',
        resource: request.topic,
        message: `Topic '${request.topic}' does not exist on local; deploy a function with topic({ name: '${request.topic}' }) first`,
      })
    }
    // One message, one id: each subscriber's copy is the same message.
    const messageId = randomUUID()
    for (const subscriber of topic.subscribers.values()) subscriber.queue.send(request.message)
    return { messageId }
  }

  /** Resolves once every subscriber of the topic has handled (or dead-lettered) what was published. */
  async idle(topicName: string): Promise<void> {
    const topic = this.#topics.get(topicName)
    await Promise.all([...(topic?.subscribers.values() ?? [])].map((subscriber) => subscriber.queue.idle()))
  }

  /** Bodies of the copies that failed every delivery to this subscriber; undefined when it subscribes to no topic. */
  deadLetters(functionName: string): string[] | undefined {
    for (const topic of this.#topics.values()) {
      const subscriber = topic.subscribers.get(functionName)
      if (subscriber) return subscriber.queue.deadLetters.map((message) => message.body)
    }
    return undefined
  }

  /** The topics that exist, each with its subscribers (for probes and tests). */
  list(): Array<{ name: string; subscribers: string[] }> {
    return [...this.#topics].map(([name, topic]) => ({ name, subscribers: [...topic.subscribers.keys()].sort() }))
  }

  close(): void {
    for (const topic of this.#topics.values()) for (const { queue } of topic.subscribers.values()) queue.close()
    this.#topics.clear()
  }

  #unsubscribe(topicName: string, topic: LocalTopic, name: string): void {
    const subscriber = topic.subscribers.get(name)
    if (!subscriber) return
    subscriber.queue.close()
    topic.subscribers.delete(name)
    // The last one out removes the topic cloudfn created; the others keep theirs.
    if (topic.subscribers.size === 0) this.#topics.delete(topicName)
  }
}
