import { HttpResponse } from 'msw'
import { GCP_LIMITS } from '../capabilities.ts'
import type { ServeFunction } from './function-url.ts'
import { googleError } from './google-errors.ts'
import { type IamPolicy, servePolicy } from './iam-policy.ts'
import { fakeIdToken } from './id-token.ts'
import { mayForward, refusedBinding } from './pubsub-iam.ts'

export interface TopicResource {
  name: string
  labels?: Record<string, string>
}

export interface SubscriptionResource {
  name: string
  topic: string
  labels?: Record<string, string>
  pushConfig?: { pushEndpoint?: string; oidcToken?: { serviceAccountEmail?: string; audience?: string } }
  ackDeadlineSeconds?: number
  messageRetentionDuration?: string
  retryPolicy?: { minimumBackoff?: string; maximumBackoff?: string }
  deadLetterPolicy?: { deadLetterTopic?: string; maxDeliveryAttempts?: number }
}

export interface PubsubMessage {
  data: string
  attributes: Record<string, string>
  messageId: string
  publishTime: string
}

interface Subscription {
  resource: SubscriptionResource
  /** Messages a pull subscription keeps until acknowledged (nobody pulls in the emulator). */
  backlog: PubsubMessage[]
  /**
   * For an Eventarc trigger on another source (Cloud Storage, eventarc.ts): the CloudEvent
   * Eventarc makes of each message, instead of the messagePublished one.
   */
  cloudEvent?: ((message: PubsubMessage) => { headers: Record<string, string>; body: string }) | undefined
}

const SUCCESS = new Set([102, 200, 201, 202, 204])
const DELETED_TOPIC = '_deleted-topic_'

export interface PubsubOptions {
  /** Pause before a push subscription retries a failed delivery, in ms (Pub/Sub's minimum backoff is 10 s). */
  queueRetryDelayMs: number
}

/**
 * Pub/Sub: topics, subscriptions and publishing, with push subscriptions
 * delivering each message as Eventarc does for a function (a binary-mode
 * CloudEvent with an OIDC token), retrying a failed delivery after a backoff,
 * and moving a message to the dead-letter topic once it failed
 * maxDeliveryAttempts times (counted per subscription, as deliveryAttempt is)
 * if the project's Pub/Sub service agent has the roles forwarding takes.
 */
export class PubsubModel {
  readonly topics = new Map<string, TopicResource>()
  readonly subscriptions = new Map<string, Subscription>()
  /** IAM policies of topics and subscriptions, by full name; they go with the resource. */
  readonly policies = new Map<string, IamPolicy>()
  readonly #timers = new Set<NodeJS.Timeout>()
  #closed = false
  readonly #serve: ServeFunction
  readonly #options: PubsubOptions

  constructor(serve: ServeFunction, options: PubsubOptions) {
    this.#serve = serve
    this.#options = options
  }

  /** Bodies (the decoded data) of what the pull subscriptions on this topic keep. */
  kept(topic: string): string[] {
    return [...this.subscriptions.values()]
      .filter((subscription) => subscription.resource.topic === topic && !subscription.resource.pushConfig?.pushEndpoint)
      .flatMap((subscription) => subscription.backlog.map((message) => Buffer.from(message.data, 'base64').toString('utf8')))
  }

  publish(topic: string, messages: Array<{ data?: string; attributes?: Record<string, string> }>): string[] {
    return messages.map((message) => {
      const stored: PubsubMessage = {
        data: message.data ?? '',
        attributes: message.attributes ?? {},
        messageId: String(Date.now()) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0'),
        publishTime: new Date().toISOString(),
      }
      for (const subscription of this.subscriptions.values()) {
        if (subscription.resource.topic === topic) this.#enqueue(subscription, stored, 1)
      }
      return stored.messageId
    })
  }

  removeSubscription(name: string): void {
    this.subscriptions.delete(name)
    this.policies.delete(name)
  }

  close(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #enqueue(subscription: Subscription, message: PubsubMessage, attempt: number): void {
    if (!subscription.resource.pushConfig?.pushEndpoint) {
      subscription.backlog.push(message)
      return
    }
    void this.#push(subscription, message, attempt)
  }

  async #push(subscription: Subscription, message: PubsubMessage, attempt: number): Promise<void> {
    if (this.#closed || this.subscriptions.get(subscription.resource.name) !== subscription) return
    const { resource } = subscription
    const endpoint = resource.pushConfig?.pushEndpoint as string
    const audience = resource.pushConfig?.oidcToken?.audience || endpoint
    // Push body per https://cloud.google.com/pubsub/docs/push#receive_push: deliveryAttempt sits
    // beside `message`, and only when the subscription has a dead-letter policy (pubsub.proto,
    // ReceivedMessage.delivery_attempt: "0 if a DeadLetterPolicy is not set").
    const body = {
      message: { ...message, message_id: message.messageId, publish_time: message.publishTime },
      subscription: resource.name,
      ...(resource.deadLetterPolicy ? { deliveryAttempt: attempt } : {}),
    }
    const event = subscription.cloudEvent?.(message) ?? {
      headers: {
        'content-type': 'application/json',
        'ce-id': message.messageId,
        'ce-source': `//pubsub.googleapis.com/${resource.topic}`,
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
        'ce-time': message.publishTime,
      },
      body: JSON.stringify(body),
    }
    let ok = false
    try {
      const response = await this.#serve(
        new Request(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${fakeIdToken(audience)}`,
            ...event.headers,
            'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
          },
          body: event.body,
        }),
        { faults: false },
      )
      await response.body?.cancel()
      ok = SUCCESS.has(response.status)
    } catch {
      ok = false
    }
    if (ok || this.#closed) return
    const policy = resource.deadLetterPolicy
    // Without its roles the service agent cannot forward, and Pub/Sub goes on redelivering.
    if (
      policy?.deadLetterTopic &&
      attempt >= (policy.maxDeliveryAttempts ?? 5) &&
      mayForward(this.policies, resource.name, policy.deadLetterTopic)
    ) {
      if (this.topics.has(policy.deadLetterTopic)) {
        this.publish(policy.deadLetterTopic, [
          {
            data: message.data,
            attributes: {
              ...message.attributes,
              CloudPubSubDeadLetterSourceDeliveryCount: String(attempt),
              CloudPubSubDeadLetterSourceSubscription: resource.name.split('/').pop() ?? '',
              CloudPubSubDeadLetterSourceSubscriptionProject: resource.name.split('/')[1] ?? '',
              CloudPubSubDeadLetterSourceTopicPublishTime: message.publishTime,
            },
          },
        ])
      }
      return
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      void this.#push(subscription, message, attempt + 1)
    }, this.#options.queueRetryDelayMs)
    this.#timers.add(timer)
  }

  /** The REST API at pubsub.googleapis.com/v1. */
  handler(): (request: Request) => Promise<Response> {
    return async (request) => {
      if (!request.headers.get('authorization')) {
        return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
      }
      const url = new URL(request.url)
      const match =
        /^\/v1\/projects\/([^/]+)\/(topics|subscriptions)(?:\/([^/:]+)(?::(publish|getIamPolicy|setIamPolicy)|\/(subscriptions))?)?$/.exec(
          url.pathname,
        )
      if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
      const [, project, collection, id, action, nested] = match
      const name = `projects/${project}/${collection}/${id}`
      if (!id) return request.method === 'GET' ? this.#list(project as string, collection as string, url) : notAllowed(request)
      if (action === 'getIamPolicy' || action === 'setIamPolicy') {
        const exists = collection === 'topics' ? this.topics.has(name) : this.subscriptions.has(name)
        return exists ? servePolicy(request, action, this.policies, name, refusedBinding) : notFound(name)
      }
      if (collection === 'topics') {
        if (action === 'publish' && request.method === 'POST') return this.#publishRequest(name, request)
        if (nested === 'subscriptions' && request.method === 'GET') return this.#topicSubscriptions(name)
        return this.#topic(name, request)
      }
      return this.#subscription(name, request)
    }
  }

  async #topic(name: string, request: Request): Promise<Response> {
    const topic = this.topics.get(name)
    if (request.method === 'PUT') {
      if (!validId(name)) return invalidName(name)
      if (topic) return alreadyExists(name)
      const body = (await request.json()) as Partial<TopicResource>
      const created: TopicResource = { name, labels: body.labels ?? {} }
      this.topics.set(name, created)
      return HttpResponse.json(created)
    }
    if (!topic) return notFound(name)
    if (request.method === 'GET') return HttpResponse.json(topic)
    if (request.method !== 'DELETE') return notAllowed(request)
    this.topics.delete(name)
    this.policies.delete(name)
    // Subscriptions outlive their topic, detached from it.
    for (const subscription of this.subscriptions.values()) {
      if (subscription.resource.topic === name) subscription.resource.topic = DELETED_TOPIC
    }
    return HttpResponse.json({})
  }

  #topicSubscriptions(name: string): Response {
    if (!this.topics.has(name)) return notFound(name)
    const names = [...this.subscriptions.values()].filter((s) => s.resource.topic === name).map((s) => s.resource.name)
    return HttpResponse.json(names.length ? { subscriptions: names } : {})
  }

  async #publishRequest(name: string, request: Request): Promise<Response> {
    const text = await request.text()
    if (Buffer.byteLength(text) > GCP_LIMITS.maxPublishBytes) {
      return googleError('INVALID_ARGUMENT', `Request payload size exceeds the limit: ${GCP_LIMITS.maxPublishBytes} bytes.`)
    }
    if (!this.topics.has(name)) return notFound(name)
    const { messages = [] } = JSON.parse(text) as { messages?: Array<{ data?: string; attributes?: Record<string, string> }> }
    if (messages.length === 0) return googleError('INVALID_ARGUMENT', 'The request contains no messages.')
    if (messages.some((message) => !message.data && Object.keys(message.attributes ?? {}).length === 0)) {
      return googleError('INVALID_ARGUMENT', 'Some messages are empty: each needs data or attributes.')
    }
    return HttpResponse.json({ messageIds: this.publish(name, messages) })
  }

  async #subscription(name: string, request: Request): Promise<Response> {
    const existing = this.subscriptions.get(name)
    if (request.method === 'PUT') {
      if (!validId(name)) return invalidName(name)
      if (existing) return alreadyExists(name)
      const body = (await request.json()) as Partial<SubscriptionResource>
      const resource = { ackDeadlineSeconds: 10, messageRetentionDuration: '604800s', ...body, name } as SubscriptionResource
      const invalid = this.#invalid(resource)
      if (invalid) return invalid
      this.subscriptions.set(name, { resource, backlog: [] })
      return HttpResponse.json(resource)
    }
    if (!existing) return notFound(name)
    if (request.method === 'GET') return HttpResponse.json(existing.resource)
    if (request.method === 'DELETE') {
      this.removeSubscription(name)
      return HttpResponse.json({})
    }
    if (request.method !== 'PATCH') return notAllowed(request)
    const { subscription = {}, updateMask = '' } = (await request.json()) as {
      subscription?: Partial<SubscriptionResource>
      updateMask?: string
    }
    const paths = updateMask.split(',').filter(Boolean)
    if (paths.length === 0) return googleError('INVALID_ARGUMENT', 'The update_mask in the request is empty.')
    const next = structuredClone(existing.resource) as unknown as Record<string, unknown>
    for (const path of paths) {
      const value = (subscription as Record<string, unknown>)[path]
      if (value === undefined) delete next[path]
      else next[path] = value
    }
    const invalid = this.#invalid(next as unknown as SubscriptionResource)
    if (invalid) return invalid
    existing.resource = next as unknown as SubscriptionResource
    return HttpResponse.json(existing.resource)
  }

  #invalid(resource: SubscriptionResource): Response | undefined {
    if (!this.topics.has(resource.topic)) return notFound(resource.topic)
    const policy = resource.deadLetterPolicy
    if (policy) {
      const attempts = policy.maxDeliveryAttempts ?? 5
      if (!Number.isInteger(attempts) || attempts < 5 || attempts > 100)
        return googleError('INVALID_ARGUMENT', 'Invalid max_delivery_attempts: must be between 5 and 100.')
      if (!policy.deadLetterTopic || !this.topics.has(policy.deadLetterTopic))
        return googleError('INVALID_ARGUMENT', `Invalid dead letter topic: ${policy.deadLetterTopic ?? ''}`)
    }
    return undefined
  }

  #list(project: string, collection: string, url: URL): Response {
    const all =
      collection === 'topics'
        ? [...this.topics.values()].filter((topic) => topic.name.startsWith(`projects/${project}/`))
        : [...this.subscriptions.values()].map((s) => s.resource).filter((s) => s.name.startsWith(`projects/${project}/`))
    const pageSize = Math.min(Number(url.searchParams.get('pageSize')) || 100, 1000)
    const offset = Number(url.searchParams.get('pageToken') || 0)
    const page = all.slice(offset, offset + pageSize)
    const next = offset + pageSize < all.length ? { nextPageToken: String(offset + pageSize) } : {}
    return HttpResponse.json({ [collection]: page, ...next })
  }
}

const notFound = (name: string) => googleError('NOT_FOUND', `Resource not found (resource=${name.split('/').pop()}).`)
const alreadyExists = (name: string) =>
  googleError('ALREADY_EXISTS', `Resource already exists in the project (resource=${name.split('/').pop()}).`)
/**
 * Topic and subscription IDs Pub/Sub accepts: a letter first, then letters,
 * digits and `-_.~+%`, 3 to 255 in all, not starting with `goog`
 * (https://cloud.google.com/pubsub/docs/admin#resource_names).
 */
const validId = (name: string) => {
  const id = name.slice(name.lastIndexOf('/') + 1)
  return /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/.test(id) && !id.startsWith('goog')
}
/** Pub/Sub's answer to an ID it refuses, as its clients report it (googleapis/google-cloud-node#1694, google-cloud-java#3334). */
const invalidName = (name: string) =>
  googleError(
    'INVALID_ARGUMENT',
    `Invalid resource name given (name=${name}). Refer to https://cloud.google.com/pubsub/docs/admin#resource_names for more information.`,
  )
const notAllowed = (request: Request) => googleError('INVALID_ARGUMENT', `Method ${request.method} is not allowed here`)
