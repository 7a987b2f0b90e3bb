/**
 * A queue trigger on Pub/Sub: topic `<queue>`, dead-letter topic
 * `<queue>-dead-letter` with a pull subscription of the same name (Pub/Sub
 * drops what is published to a topic nobody subscribes to), and a
 * dead-letter policy on the push subscription Eventarc made for the
 * function. Topics and subscriptions cloudfn made carry its labels, with the
 * function they belong to.
 */
import { ownerFromMarker, type QueueMarkerKeys, type QueueOwner, queueMarker } from '../../../src/triggers/ownership.ts'
import type { Trigger } from '../../../src/triggers/types.ts'
import { fail } from '../../../src/validation.ts'
import { MANAGED_LABEL } from '../labels.ts'
import type { Location } from '../names.ts'
import type { Rest } from '../rest.ts'

const API = 'https://pubsub.googleapis.com/v1'
export const FUNCTION_LABEL = 'cloudfn-function'
/** Pub/Sub keeps unacknowledged messages at most 7 days. */
const RETENTION = '604800s'

export interface Subscription {
  name: string
  topic?: string
  labels?: Record<string, string>
  pushConfig?: { pushEndpoint?: string }
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number }
}

export interface Topic {
  name: string
  labels?: Record<string, string>
}

/**
 * What queue() and topic() accept but Pub/Sub refuses in a topic ID: fewer
 * than 3 characters, or a name starting with `goog`
 * (https://cloud.google.com/pubsub/docs/admin#resource_names; Pub/Sub answers
 * 400 "Invalid resource name given"). The other rules, a letter first and at
 * most 255 characters, are the portable names' own, stricter ones. Checked
 * before a deploy or plan reads anything, so nothing is made half-way (the
 * function, then a topic Pub/Sub refuses).
 */
export function checkPubsubIds(trigger: Trigger | undefined): void {
  if (trigger?.kind !== 'queue' && trigger?.kind !== 'topic') return
  for (const [field, id] of [
    ['trigger.name', trigger.name],
    ['trigger.deadLetter', trigger.deadLetter],
  ] as const) {
    if (id === undefined) continue
    if (id.length < 3) fail(field, `must have at least 3 characters on gcp, whose Pub/Sub topic IDs are 3-255 (got "${id}")`)
    if (id.startsWith('goog')) fail(field, `cannot start with "goog" on gcp: Pub/Sub reserves it (got "${id}")`)
  }
}

export const topicName = (location: Location, topic: string) => `projects/${location.project}/topics/${topic}`
export const subscriptionName = (location: Location, name: string) => `projects/${location.project}/subscriptions/${name}`

/** cloudfn's marker on what it made for a queue (src/triggers/ownership.ts): two labels (https://cloud.google.com/pubsub/docs/labels). */
export const PUBSUB_MARKER: QueueMarkerKeys = { managed: MANAGED_LABEL, function: FUNCTION_LABEL }
const labelsOf = (functionName: string) => queueMarker(PUBSUB_MARKER, functionName)

export class PubSub {
  readonly #rest: Rest
  readonly #location: Location

  constructor(rest: Rest, location: Location) {
    this.#rest = rest
    this.#location = location
  }

  /** Creates the topic unless it exists (whoever made it); `beforeChange` runs before a write. */
  async ensureTopic(topic: string, functionName: string, beforeChange: () => void): Promise<void> {
    const name = topicName(this.#location, topic)
    const meta = { url: `${API}/${name}`, resource: topic, kind: 'Topic' }
    if (await this.#rest.call<Topic>({ method: 'GET', operation: 'get topic', absentOk: true, ...meta })) return
    beforeChange()
    await this.#ignoreExisting(() =>
      this.#rest.call({ method: 'PUT', body: { labels: labelsOf(functionName) }, operation: 'create topic', ...meta }),
    )
  }

  /** Who a topic or subscription belongs to, by its labels. */
  async owner(kind: 'topics' | 'subscriptions', name: string): Promise<QueueOwner> {
    const operation = kind === 'topics' ? 'get topic' : 'get subscription'
    const found = await this.#rest.call<Topic>({ method: 'GET', operation, absentOk: true, ...this.#meta(kind, name) })
    return ownerFromMarker(PUBSUB_MARKER, found ? (found.labels ?? {}) : undefined)
  }

  /** Deletes a topic or subscription; one already gone is fine. */
  async delete(kind: 'topics' | 'subscriptions', name: string): Promise<void> {
    await this.#rest.call({ method: 'DELETE', operation: 'delete', absentOk: true, ...this.#meta(kind, name) })
  }

  /** A pull subscription that keeps what reaches the dead-letter topic, for a week. */
  async ensureKeeper(topic: string, functionName: string, beforeChange: () => void): Promise<void> {
    const name = subscriptionName(this.#location, topic)
    const meta = { url: `${API}/${name}`, resource: topic, kind: 'Subscription' }
    if (await this.#rest.call<Subscription>({ method: 'GET', operation: 'get subscription', absentOk: true, ...meta })) return
    beforeChange()
    const body = {
      topic: topicName(this.#location, topic),
      labels: labelsOf(functionName),
      ackDeadlineSeconds: 60,
      messageRetentionDuration: RETENTION,
    }
    await this.#ignoreExisting(() => this.#rest.call({ method: 'PUT', body, operation: 'create subscription', ...meta }))
  }

  /** The push subscription Eventarc created on `topic` for the function at `url`. */
  async triggerSubscription(topic: string, url: string): Promise<Subscription | undefined> {
    const { subscriptions = [] } = await this.#rest.call<{ subscriptions?: string[] }>({
      method: 'GET',
      url: `${API}/${topicName(this.#location, topic)}/subscriptions?pageSize=1000`,
      operation: 'list subscriptions',
      resource: topic,
      kind: 'Topic',
    })
    for (const name of subscriptions) {
      const found = await this.#rest.call<Subscription>({
        method: 'GET',
        url: `${API}/${name}`,
        operation: 'get subscription',
        resource: name,
        kind: 'Subscription',
        absentOk: true,
      })
      if (found?.pushConfig?.pushEndpoint?.startsWith(url)) return found
    }
    return undefined
  }

  async setDeadLetterPolicy(
    subscription: Subscription,
    deadLetterTopic: string,
    maxDeliveryAttempts: number,
    beforeChange: () => void,
  ): Promise<void> {
    const wanted = { deadLetterTopic: topicName(this.#location, deadLetterTopic), maxDeliveryAttempts }
    const current = subscription.deadLetterPolicy
    if (current?.deadLetterTopic === wanted.deadLetterTopic && current.maxDeliveryAttempts === maxDeliveryAttempts) return
    beforeChange()
    await this.#rest.call({
      method: 'PATCH',
      url: `${API}/${subscription.name}`,
      body: { subscription: { deadLetterPolicy: wanted }, updateMask: 'deadLetterPolicy' },
      operation: 'set dead-letter policy',
      resource: subscription.name,
      kind: 'Subscription',
    })
  }

  async publish(topic: string, json: string, signal?: AbortSignal): Promise<string> {
    const { messageIds = [] } = await this.#rest.call<{ messageIds?: string[] }>({
      method: 'POST',
      url: `${API}/${topicName(this.#location, topic)}:publish`,
      body: { messages: [{ data: Buffer.from(json, 'utf8').toString('base64') }] },
      operation: 'send',
      resource: topic,
      kind: 'Queue',
      signal,
    })
    return messageIds[0] ?? ''
  }

  /** Deletes a topic or subscription cloudfn made for this function; others are left alone. */
  async deleteOwned(kind: 'topics' | 'subscriptions', name: string, functionName: string): Promise<boolean> {
    const owner = await this.owner(kind, name)
    if (owner.kind !== 'function' || owner.functionName !== functionName) return false
    await this.delete(kind, name)
    return true
  }

  /** Topics and subscriptions labelled as cloudfn's, with the function each belongs to. */
  async listOwned(kind: 'topics' | 'subscriptions'): Promise<Array<{ name: string; functionName: string }>> {
    const owned: Array<{ name: string; functionName: string }> = []
    let pageToken = ''
    do {
      const page = await this.#rest.call<Record<string, Topic[] | string | undefined>>({
        method: 'GET',
        url: `${API}/projects/${this.#location.project}/${kind}?pageSize=1000${pageToken ? `&pageToken=${pageToken}` : ''}`,
        operation: `list ${kind}`,
        resource: this.#location.project,
        kind: 'Project',
      })
      for (const item of (page[kind] as Topic[] | undefined) ?? []) {
        const owner = ownerFromMarker(PUBSUB_MARKER, item.labels ?? {})
        if (owner.kind === 'function') owned.push({ name: item.name.split('/').pop() ?? '', functionName: owner.functionName })
      }
      pageToken = typeof page.nextPageToken === 'string' ? page.nextPageToken : ''
    } while (pageToken)
    return owned
  }

  #meta(kind: 'topics' | 'subscriptions', name: string) {
    const full = kind === 'topics' ? topicName(this.#location, name) : subscriptionName(this.#location, name)
    return { url: `${API}/${full}`, resource: name, kind: kind === 'topics' ? 'Topic' : 'Subscription' }
  }

  async #ignoreExisting(create: () => Promise<unknown>): Promise<void> {
    try {
      await create()
    } catch (error) {
      // Made by a concurrent or earlier, interrupted attempt: what we wanted.
      if ((error as { code?: string }).code !== 'Conflict') throw error
    }
  }
}
