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
import { STORAGE_SETTING } from '../constants.ts'
import type { TriggerOutcome } from './app-runtime.ts'
import { parseNcrontab } from './ncrontab.ts'
import type { FunctionRegistration, RpcData } from './protocol.ts'
import { decodeBase64, hostJsonQueues, PollingPace, queueOptions } from './queue-extension.ts'
import {
  createQueue,
  deleteMessage,
  getMessages,
  putMessage,
  type QueueMessageState,
  type QueueState,
  updateMessage,
} from './queues.ts'
import { startRuntime } from './scm.ts'
import type { AzureState, SiteState } from './state.ts'
import { queueTriggerMetadata } from './trigger-metadata.ts'

export interface TriggerSettings {
  clock: TriggerClock
  /**
   * The queue listener's pace in wall-clock ms: its pause after a poll that
   * found messages, standing for the host's 100 ms minimum polling interval.
   * Empty polls back off from twice this to maxPollingInterval (1 minute at
   * 100, scaled alike). Failed messages are retried as the host does: visible
   * again after host.json's visibilityTimeout (0) on the emulator's clock.
   */
  queueRetryDelayMs: number
}

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

  async #run(
    site: SiteState,
    functionName: string,
    data: RpcData,
    triggerMetadata?: Record<string, RpcData>,
  ): Promise<TriggerOutcome> {
    const app = site.app
    if (!app) return { kind: 'failure', message: 'the app has no package' }
    site.runtime ??= startRuntime(site, app)
    const runtime = await site.runtime
    return runtime.trigger(functionName, randomUUID(), data, () => this.#state.countExecution(site), triggerMetadata)
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
    const hostJson = site.app ? hostJsonQueues(site.app.directory) : {}
    const options = queueOptions(site.appSettings, this.#settings.queueRetryDelayMs, hostJson)
    const queueName = resolve(site, fn.queueName)
    // Message times are on the emulator's clock, the one the queue service writes them with.
    const now = () => this.#settings.clock.now()
    const account = () => this.#state.storageAccount(accountName)
    const poison = (message: QueueMessageState) => {
      const poisonName = `${queueName}-poison`
      const target = account()?.queues.get(poisonName) ?? createQueue(poisonName)
      account()?.queues.set(poisonName, target)
      // The host copies the message as it was received: the same (still encoded) text.
      putMessage(target, message.text, now())
    }
    const handle = async (queue: QueueState, message: QueueMessageState) => {
      // Decoding happens before the function: an undecodable message is poisoned at once without running it
      // (the extension's MessageDecodingFailed handler, Azure/azure-sdk-for-net#18326).
      const text = options.messageEncoding === 'base64' ? decodeBase64(message.text) : message.text
      if (text === undefined || message.dequeueCount > options.maxDequeueCount) {
        poison(message)
        deleteMessage(queue, message.id, message.popReceipt, now())
        return
      }
      // The host renews the lease at half its length while the function runs, so a long run is not redelivered.
      const renewal = setInterval(() => {
        updateMessage(queue, message.id, message.popReceipt, now(), PROCESSING_LEASE_MS)
      }, PROCESSING_LEASE_MS / 2)
      renewal.unref()
      const outcome = await this.#run(site, fn.name, { string: text }, queueTriggerMetadata(message, text)).finally(() =>
        clearInterval(renewal),
      )
      if (outcome.kind === 'done') {
        deleteMessage(queue, message.id, message.popReceipt, now())
      } else if (message.dequeueCount >= options.maxDequeueCount) {
        poison(message)
        deleteMessage(queue, message.id, message.popReceipt, now())
      } else {
        // Released with host.json's visibilityTimeout (0 by default): visible again for the next poll.
        updateMessage(queue, message.id, message.popReceipt, now(), options.visibilityTimeoutMs)
      }
    }
    const inFlight = new Set<Promise<void>>()
    const pace = new PollingPace(options.minPollingMs, options.maxPollingMs)
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    const poll = async () => {
      if (stopped) return
      const queue = account()?.queues.get(queueName)
      const batch = queue ? getMessages(queue, options.batchSize, PROCESSING_LEASE_MS, now()) : []
      for (const message of batch) {
        if (!queue) break
        // A host failure (the app cannot start) leaves the message to its lease, as a crashed host does.
        const task = handle(queue, message).catch(() => {})
        inFlight.add(task)
        void task.finally(() => inFlight.delete(task))
      }
      // A new batch is fetched once no more than newBatchThreshold messages are still running.
      while (inFlight.size > options.newBatchThreshold && !stopped) await Promise.race(inFlight)
      if (stopped) return
      timer = setTimeout(() => void poll(), pace.next(batch.length > 0))
      timer.unref()
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }
}
