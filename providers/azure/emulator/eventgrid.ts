/**
 * Event Grid's data plane for custom topics and its delivery to functions.
 *
 * Publishing (https://learn.microsoft.com/azure/event-grid/post-to-custom-topic,
 * https://learn.microsoft.com/rest/api/eventgrid/dataplane/publish-events/publish-events):
 * `POST https://<topic>.<region>-1.eventgrid.azure.net/api/events?api-version=2018-01-01`
 * with an `aeg-sas-key` (one of the topic's keys) or a Microsoft Entra bearer token;
 * a JSON array of Event Grid schema events (id, subject, eventType, eventTime
 * required, dataVersion optional; https://learn.microsoft.com/azure/event-grid/event-schema);
 * 413 over 1 MB for the array; 200 with an empty body.
 *
 * Delivery (https://learn.microsoft.com/azure/event-grid/delivery-and-retry): each
 * event subscription gets every event, one event per request, independently of the
 * others. A failed delivery is retried after 10 s, 30 s, 1 min, 5 min, 10 min,
 * 30 min, 1 h, 3 h, 6 h, then every 12 h, until `maxDeliveryAttempts`; 400 and 413
 * are not retried. Then the event is dead-lettered: a blob
 * `<TOPIC>/<SUBSCRIPTION>/yyyy/MM/dd/HH/<guid>.json` (upper-case names) in the
 * subscription's container, holding a JSON array of the event with
 * deadLetterReason, deliveryAttempts, lastDeliveryOutcome, lastHttpStatusCode,
 * publishTime and lastDeliveryAttemptTime added; without a dead-letter destination
 * (or when its container is gone) the event is dropped. The emulator's steps are
 * the real ones scaled by `retryDelayMs / 10 s`, on the wall clock as the queue
 * listener's pace is, without Event Grid's randomization; the time to live
 * (eventTimeToLiveInMinutes) is recorded, not enforced.
 */
import { randomUUID } from 'node:crypto'
import type { TriggerClock } from '../../../src/triggers/clock.ts'
import { topicPayloadOf } from '../triggers/events.ts'
import type { BlobChange } from './blobs.ts'
import { eventGridWebhook } from './eventgrid-extension.ts'
import type { EventSubscriptionState, TopicState } from './eventgrid-state.ts'
import type { AzureState } from './state.ts'

/** The documented retry schedule, in seconds (after the last step, every 12 h). */
const RETRY_STEPS_SEC = [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200]
/** The total size Event Grid takes in one publish request (1 MB). */
export const MAX_PUBLISH_BYTES = 1024 * 1024
const REQUIRED = ['id', 'subject', 'eventType', 'eventTime'] as const

export interface EventGridSettings {
  clock: TriggerClock
  /** The first retry's delay (Azure: 10 s); later steps keep the documented ratios. */
  retryDelayMs: number
  /** Decides whether a bearer token is valid (the emulator's ARM rule). */
  acceptToken: (token: string) => boolean
}

const dataPlaneError = (status: number, code: string, message: string) => Response.json({ error: { code, message } }, { status })

export class EventGridService {
  readonly #state: AzureState
  readonly #settings: EventGridSettings
  readonly #timers = new Set<NodeJS.Timeout>()
  #closed = false

  constructor(state: AzureState, settings: EventGridSettings) {
    this.#state = state
    this.#settings = settings
    this.#stopBlobEvents = state.blobs.onChange((change) => this.#blobEvent(change))
  }

  readonly #stopBlobEvents: () => void

  /**
   * Blob Storage's events to its account's system topic
   * (https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage): Microsoft.Storage.BlobCreated
   * (api PutBlob, with eTag, contentType, contentLength) and BlobDeleted (api DeleteBlob), both with the
   * request's clientRequestId as the documented examples carry it, subject
   * `/blobServices/default/containers/<container>/blobs/<name>`, topic the account's resource id.
   */
  #blobEvent(change: BlobChange): void {
    const account = this.#state.storageAccount(change.account)
    if (!account) return
    for (const topic of this.#state.eventGrid.systemTopics.values()) {
      const source = topic.system?.source ?? ''
      if (topic.system?.topicType !== 'Microsoft.Storage.StorageAccounts') continue
      if (!source.toLowerCase().endsWith(`/providers/microsoft.storage/storageaccounts/${account.name.toLowerCase()}`)) continue
      const created = change.kind === 'created'
      const event = {
        topic: source,
        subject: `/blobServices/default/containers/${change.container}/blobs/${change.blob}`,
        eventType: created ? 'Microsoft.Storage.BlobCreated' : 'Microsoft.Storage.BlobDeleted',
        id: randomUUID(),
        eventTime: new Date(change.at).toISOString(),
        data: {
          api: created ? 'PutBlob' : 'DeleteBlob',
          ...(change.clientRequestId ? { clientRequestId: change.clientRequestId } : {}),
          requestId: randomUUID(),
          ...(created ? { eTag: change.state.etag, contentLength: change.state.bytes.byteLength } : {}),
          contentType: change.state.contentType,
          blobType: 'BlockBlob',
          url: `https://${account.name}.blob.core.windows.net/${change.container}/${change.blob}`,
          sequencer: String(change.at).padStart(32, '0'),
          storageDiagnostics: { batchId: randomUUID() },
        },
        dataVersion: '',
        metadataVersion: '1',
      }
      const publishTime = new Date(this.#settings.clock.now()).toISOString()
      for (const sub of topic.subscriptions.values()) void this.#deliver(topic, sub, event, publishTime, 1)
    }
  }

  /** A publish request to a topic's endpoint. */
  async publish(request: Request, url: URL): Promise<Response> {
    const topic = this.#state.eventGrid.topicForHost(url.hostname)
    // A deleted topic's host no longer resolves on Azure; here it answers 404.
    if (!topic) return dataPlaneError(404, 'NotFound', `The topic '${url.hostname}' was not found.`)
    if (request.method !== 'POST' || url.pathname.toLowerCase() !== '/api/events') {
      return dataPlaneError(404, 'NotFound', 'The requested resource was not found.')
    }
    const key = request.headers.get('aeg-sas-key')
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    const authorized = key ? topic.keys.includes(key) : bearer !== undefined && this.#settings.acceptToken(bearer)
    if (!authorized) return dataPlaneError(401, 'Unauthorized', 'The request authorization key is not authorized for this topic.')
    const bytes = new Uint8Array(await request.arrayBuffer())
    if (bytes.byteLength > MAX_PUBLISH_BYTES) {
      return dataPlaneError(
        413,
        'RequestEntityTooLarge',
        `The maximum size (${MAX_PUBLISH_BYTES}) has been exceeded: the request is ${bytes.byteLength} bytes.`,
      )
    }
    let events: unknown
    try {
      events = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      return dataPlaneError(400, 'BadRequest', 'The request body is not valid JSON.')
    }
    if (!Array.isArray(events)) return dataPlaneError(400, 'BadRequest', 'The request body must be a JSON array of events.')
    for (const [index, event] of events.entries()) {
      const fields = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>
      const missing = REQUIRED.find((name) => typeof fields[name] !== 'string' || fields[name] === '')
      if (missing) return dataPlaneError(400, 'BadRequest', `Event ${index}: required property '${missing}' was not found.`)
    }
    const topicId = `/subscriptions/${topic.subscription}/resourceGroups/${topic.resourceGroup}/providers/Microsoft.EventGrid/topics/${topic.name}`
    const publishTime = new Date(this.#settings.clock.now()).toISOString()
    for (const event of events as Array<Record<string, unknown>>) {
      // Event Grid sets the topic and metadata version on what it delivers.
      const delivered = { ...event, topic: topicId, metadataVersion: '1' }
      for (const sub of topic.subscriptions.values()) void this.#deliver(topic, sub, delivered, publishTime, 1)
    }
    return new Response(null, { status: 200 })
  }

  /** Stops pending retries (the emulator closes). */
  close(): void {
    this.#closed = true
    this.#stopBlobEvents()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  /** The messages (as cloudfn's shim reads an event: triggers/events.ts) of the events dead-lettered for a function's event subscriptions. */
  deadLetters(functionName: string): string[] {
    const site = this.#state.siteForFunction(functionName)
    if (!site) return []
    const prefix = `/providers/microsoft.web/sites/${site.name.toLowerCase()}/functions/`
    const out: string[] = []
    for (const topic of this.#state.eventGrid.topics.values()) {
      for (const sub of topic.subscriptions.values()) {
        if (!sub.destination.resourceId.toLowerCase().includes(prefix) || !sub.deadLetter) continue
        const account = sub.deadLetter.resourceId.split('/').at(-1) ?? ''
        // A deleted container took its blobs with it.
        if (!this.#state.storageAccount(account)?.containers.has(sub.deadLetter.blobContainerName)) continue
        const blobs = [...this.#state.blobs.blobs(account, sub.deadLetter.blobContainerName).values()]
        for (const blob of blobs.sort((a, b) => a.createdAt - b.createdAt)) {
          if (!blob.name.startsWith(`${topic.name.toUpperCase()}/${sub.name.toUpperCase()}/`)) continue
          for (const event of JSON.parse(new TextDecoder().decode(blob.bytes)) as unknown[]) out.push(topicPayloadOf(event))
        }
      }
    }
    return out
  }

  async #deliver(
    topic: TopicState,
    sub: EventSubscriptionState,
    event: Record<string, unknown>,
    publishTime: string,
    attempt: number,
  ): Promise<void> {
    // A subscription deleted (or replaced) meanwhile gets nothing more.
    if (this.#closed || topic.subscriptions.get(sub.name.toLowerCase()) === undefined) return
    const current = topic.subscriptions.get(sub.name.toLowerCase()) ?? sub
    if (attempt === 1 && !matches(current.filter, event)) return
    const status = await this.#attempt(current, event, attempt)
    if (status >= 200 && status < 300) return
    const attemptTime = new Date(this.#settings.clock.now()).toISOString()
    const final = status === 400 || status === 413 || attempt >= current.retryPolicy.maxDeliveryAttempts
    if (final) {
      this.#deadLetter(topic, current, event, { attempts: attempt, status, publishTime, attemptTime })
      return
    }
    const stepSec = RETRY_STEPS_SEC[Math.min(attempt - 1, RETRY_STEPS_SEC.length - 1)] ?? 43_200
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer)
        void this.#deliver(topic, current, event, publishTime, attempt + 1)
      },
      (stepSec / 10) * this.#settings.retryDelayMs,
    )
    timer.unref()
    this.#timers.add(timer)
  }

  /** One delivery: a webhook request to the destination function's Event Grid extension; its HTTP status. */
  async #attempt(sub: EventSubscriptionState, event: Record<string, unknown>, attempt: number): Promise<number> {
    const match = /\/sites\/([^/]+)\/functions\/([^/]+)$/i.exec(sub.destination.resourceId)
    const site = match && this.#state.site(match[1] ?? '')
    if (!site) return 404
    const url = `https://${site.name}.azurewebsites.net/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(match?.[2] ?? '')}`
    const request = new Request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'aeg-event-type': 'Notification',
        'aeg-subscription-name': sub.name.toUpperCase(),
        'aeg-delivery-count': String(attempt - 1),
        'aeg-data-version': String(event.dataVersion ?? ''),
        'aeg-metadata-version': '1',
      },
      body: JSON.stringify([event]),
    })
    try {
      return (await eventGridWebhook(this.#state, site, request)).status
    } catch {
      return 500
    }
  }

  #deadLetter(
    topic: TopicState,
    sub: EventSubscriptionState,
    event: Record<string, unknown>,
    outcome: { attempts: number; status: number; publishTime: string; attemptTime: string },
  ): void {
    const destination = sub.deadLetter
    if (!destination) return
    const accountName = destination.resourceId.split('/').at(-1) ?? ''
    const account = this.#state.storageAccount(accountName)
    if (!account?.containers.has(destination.blobContainerName)) return
    const at = new Date(this.#settings.clock.now())
    const pad = (value: number) => String(value).padStart(2, '0')
    const folder = `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}`
    const name = `${topic.name.toUpperCase()}/${sub.name.toUpperCase()}/${folder}/${randomUUID()}.json`
    const lettered = {
      ...event,
      deadLetterReason: outcome.status === 400 || outcome.status === 413 ? 'NonRetryableFailure' : 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: outcome.attempts,
      lastDeliveryOutcome: outcome.status === 404 ? 'NotFound' : 'GenericError',
      lastHttpStatusCode: outcome.status,
      publishTime: outcome.publishTime,
      lastDeliveryAttemptTime: outcome.attemptTime,
    }
    // Written as Event Grid writes it (not through the data plane, so no BlobCreated event of its own).
    const bytes = new TextEncoder().encode(JSON.stringify([lettered]))
    this.#state.blobs.put(account.name, destination.blobContainerName, name, bytes, 'application/json', at.getTime())
  }
}

/**
 * An event subscription's filter (https://learn.microsoft.com/azure/event-grid/event-filtering):
 * `includedEventTypes` (all when absent), `subjectBeginsWith` / `subjectEndsWith` (case-insensitive unless
 * `isSubjectCaseSensitive`). Advanced filters are not modelled.
 */
export function matches(filter: Record<string, unknown>, event: Record<string, unknown>): boolean {
  const types = Array.isArray(filter.includedEventTypes) ? (filter.includedEventTypes as unknown[]) : undefined
  if (types && !types.includes(event.eventType)) return false
  const sensitive = filter.isSubjectCaseSensitive === true
  const fold = (text: unknown) => (sensitive ? String(text ?? '') : String(text ?? '').toLowerCase())
  const subject = fold(event.subject)
  if (typeof filter.subjectBeginsWith === 'string' && !subject.startsWith(fold(filter.subjectBeginsWith))) return false
  if (typeof filter.subjectEndsWith === 'string' && !subject.endsWith(fold(filter.subjectEndsWith))) return false
  return true
}
