/**
 * A queue trigger on Pub/Sub: topic `<queue>`, dead-letter topic
 * `<queue>-dead-letter` with a pull subscription of the same name (Pub/Sub
 * drops what is published to a topic nobody subscribes to), and a
 * dead-letter policy on the push subscription Eventarc made for the
 * function. Topics and subscriptions cloudfn made carry its labels, with the
 * function they belong to.
 */
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

export const topicName = (location: Location, topic: string) => `projects/${location.project}/topics/${topic}`
export const subscriptionName = (location: Location, name: string) => `projects/${location.project}/subscriptions/${name}`

const labelsOf = (functionName: string) => ({ [MANAGED_LABEL]: 'true', [FUNCTION_LABEL]: functionName })

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

  /** The function a cloudfn-made topic belongs to; undefined for a missing topic or one cloudfn did not make. */
  async topicOwner(topic: string): Promise<string | undefined> {
    const name = topicName(this.#location, topic)
    const meta = { url: `${API}/${name}`, resource: topic, kind: 'Topic' }
    const found = await this.#rest.call<Topic>({ method: 'GET', operation: 'get topic', absentOk: true, ...meta })
    return found?.labels?.[MANAGED_LABEL] === 'true' ? found.labels[FUNCTION_LABEL] : undefined
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
    const full = kind === 'topics' ? topicName(this.#location, name) : subscriptionName(this.#location, name)
    const meta = { url: `${API}/${full}`, resource: name, kind: kind === 'topics' ? 'Topic' : 'Subscription' }
    const found = await this.#rest.call<Topic>({ method: 'GET', operation: 'get', absentOk: true, ...meta })
    if (found?.labels?.[FUNCTION_LABEL] !== functionName || found.labels[MANAGED_LABEL] !== 'true') return false
    await this.#rest.call({ method: 'DELETE', operation: 'delete', absentOk: true, ...meta })
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
        const functionName = item.labels?.[FUNCTION_LABEL]
        if (item.labels?.[MANAGED_LABEL] === 'true' && functionName)
          owned.push({ name: item.name.split('/').pop() ?? '', functionName })
      }
      pageToken = typeof page.nextPageToken === 'string' ? page.nextPageToken : ''
    } while (pageToken)
    return owned
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
