/**
 * The function host's trigger listeners: the timer extension fires timer
 * functions on the emulator's clock, and the queue extension polls each
 * queue function's storage queue, runs the function once per message,
 * deletes it on success and, after maxDequeueCount failed dequeues, moves it
 * to `<queue>-poison`. Both follow the site: they restart when its functions
 * or settings change and stop when it goes.
 */
import { randomUUID } from 'node:crypto'
import type { TriggerClock } from '../../../src/triggers/clock.ts'
import { QUEUE_SETTINGS, STORAGE_SETTING } from '../constants.ts'
import type { TriggerOutcome } from './app-runtime.ts'
import { parseNcrontab } from './ncrontab.ts'
import type { FunctionRegistration, RpcData } from './protocol.ts'
import {
  createQueue,
  deleteMessage,
  getMessages,
  putMessage,
  type QueueMessageState,
  type QueueState,
  releaseMessage,
} from './queues.ts'
import { startRuntime } from './scm.ts'
import type { AzureState, SiteState } from './state.ts'

export interface TriggerSettings {
  clock: TriggerClock
  /** How long a failed message stays invisible, and the pause between polls of an empty queue, in ms. */
  queueRetryDelayMs: number
}

/** The queue extension's defaults when host.json and the app settings say nothing. */
const DEFAULT_MAX_DEQUEUE_COUNT = 5
const DEFAULT_BATCH_SIZE = 16
/** A message being processed stays invisible (the host renews this lease while the function runs). */
const PROCESSING_LEASE_MS = 10 * 60_000

/** `%NAME%` binding expressions read app settings. */
function resolve(site: SiteState, value: string): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => site.appSettings[name] ?? '')
}

/** The host writes local times (UTC on Linux) with an offset. */
const hostTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00')

export class SiteTriggers {
  readonly #state: AzureState
  readonly #settings: TriggerSettings
  readonly #running = new Map<string, () => void>()

  constructor(state: AzureState, settings: TriggerSettings) {
    this.#state = state
    this.#settings = settings
  }

  /** Restarts the site's listeners from its current functions and settings (none once it is deleted). */
  sync(site: SiteState): void {
    this.#running.get(site.name)?.()
    this.#running.delete(site.name)
    if (this.#state.site(site.name) !== site || !site.app) return
    const stops = site.listedFunctions.flatMap((fn) => {
      if (fn.kind === 'timer') return [this.#timer(site, fn.name, fn.schedule)]
      if (fn.kind === 'queue') return [this.#queue(site, fn)]
      return []
    })
    if (stops.length === 0) return
    this.#running.set(site.name, () => {
      for (const stop of stops) stop()
    })
  }

  close(): void {
    for (const stop of this.#running.values()) stop()
    this.#running.clear()
  }

  async #run(site: SiteState, functionName: string, data: RpcData): Promise<TriggerOutcome> {
    const app = site.app
    if (!app) return { kind: 'failure', message: 'the app has no package' }
    site.runtime ??= startRuntime(site, app)
    const runtime = await site.runtime
    return runtime.trigger(functionName, randomUUID(), data, () => this.#state.countExecution(site.name))
  }

  #timer(site: SiteState, functionName: string, schedule: string): () => void {
    let last: number | undefined
    return this.#settings.clock.every({
      cron: schedule,
      timezone: 'UTC',
      // Ticks at the times the host's NCrontab computes (the host indexed only parseable schedules).
      next: parseNcrontab(schedule).next,
      fire: async (at) => {
        // The function gets the status from before this tick: `Next` is the tick now firing.
        const status = { Last: hostTime(last ?? 0), Next: hostTime(at.getTime()), LastUpdated: hostTime(last ?? 0) }
        last = at.getTime()
        const timer = { Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: false }
        // A failed tick is logged by the host and never retried.
        await this.#run(site, functionName, { json: JSON.stringify(timer) })
      },
    })
  }

  #queue(site: SiteState, fn: Extract<FunctionRegistration, { kind: 'queue' }>): () => void {
    const connection = site.appSettings[fn.connection] ?? site.appSettings[STORAGE_SETTING] ?? ''
    const accountName = /AccountName=([^;]+)/.exec(connection)?.[1] ?? ''
    const queueName = resolve(site, fn.queueName)
    const setting = (name: string, fallback: number) => {
      const value = Number(site.appSettings[name])
      return Number.isInteger(value) && value > 0 ? value : fallback
    }
    const maxDequeueCount = setting(QUEUE_SETTINGS.maxDequeueCount, DEFAULT_MAX_DEQUEUE_COUNT)
    const batchSize = Math.min(32, setting(QUEUE_SETTINGS.batchSize, DEFAULT_BATCH_SIZE))
    const delayMs = this.#settings.queueRetryDelayMs
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    const deliver = async (queue: QueueState, message: QueueMessageState) => {
      const text = Buffer.from(message.text, 'base64').toString('utf8')
      const outcome = await this.#run(site, fn.name, { string: text })
      if (outcome.kind === 'done') {
        deleteMessage(queue, message.id, message.popReceipt)
      } else if (message.dequeueCount >= maxDequeueCount) {
        const account = this.#state.storageAccount(accountName)
        const poisonName = `${queueName}-poison`
        const poison = account?.queues.get(poisonName) ?? createQueue(poisonName)
        account?.queues.set(poisonName, poison)
        putMessage(poison, message.text, Date.now())
        deleteMessage(queue, message.id, message.popReceipt)
      } else {
        releaseMessage(message, Date.now() + delayMs)
      }
    }
    const poll = async () => {
      if (stopped) return
      const queue = this.#state.storageAccount(accountName)?.queues.get(queueName)
      const batch = queue ? getMessages(queue, batchSize, PROCESSING_LEASE_MS, Date.now()) : []
      if (queue) await Promise.all(batch.map((message) => deliver(queue, message)))
      if (stopped) return
      timer = setTimeout(() => void poll(), batch.length > 0 ? 0 : delayMs)
      timer.unref()
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }
}
