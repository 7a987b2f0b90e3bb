/**
 * A topic trigger on Azure Event Grid (decided in docs/FIDELITY.md, "Event Grid"):
 * the shared **custom topic** `<name>` in the resource group (made by the first
 * subscriber's deploy unless it exists), and per subscriber one **event
 * subscription** `cloudfn-<function>` whose destination is the app's Event Grid
 * trigger function (endpoint type `AzureFunction`, resource id
 * `.../sites/<app>/functions/cloudfn-topic`), with the subscriber's retry policy
 * (`maxDeliveryAttempts` = maxRetries + 1, 1-30) and its own dead-letter blob
 * container `dead-letter-<app>` in cloudfn's storage account
 * (https://learn.microsoft.com/azure/event-grid/manage-event-delivery,
 * https://learn.microsoft.com/azure/event-grid/delivery-and-retry). Every event
 * subscription gets every event: fan-out.
 *
 * Ownership: the topic cloudfn made carries the `cloudfn:managed` and
 * `cloudfn:sharedTopic` tags (no function's name: it belongs to none); an event
 * subscription is a subscriber's own by its name and labels. The last subscriber
 * out (no event subscription left on the topic, whoever made them) deletes a
 * topic cloudfn made; a topic cloudfn did not make is used and never deleted.
 *
 * Publishing sends Event Grid schema events (the topic's default input schema;
 * the Node model's `app.eventGrid` hands the handler that event) through
 * `@azure/eventgrid`'s EventGridPublisherClient with the provider's Microsoft
 * Entra credential, so the credential needs 'EventGrid Data Sender' on the topic.
 * The event's `data` is `{ message }`: Event Grid schema data must be an object (the
 * SDK's serializer refuses others: "events.data must be of type object"), and a
 * message may be any JSON value.
 */
import { randomUUID } from 'node:crypto'
import type { EventGridManagementClient, EventSubscription, Topic } from '@azure/arm-eventgrid'
import { ConflictError } from '../../../src/errors/conflict.ts'
import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { GcCandidate } from '../../../src/gc.ts'
import type { PlanChange, TopicFacts } from '../../../src/plan.ts'
import type { PublishRequest } from '../../../src/provider.ts'
import { topicNames, topicRetries } from '../../../src/triggers/topic.ts'
import type { TopicTrigger, Trigger } from '../../../src/triggers/types.ts'
import { fail } from '../../../src/validation.ts'
import { AZURE_CAPABILITIES } from '../capabilities.ts'
import { TOPIC_FUNCTION } from '../constants.ts'
import type { AzureContext } from '../context.ts'
import { armCall, armFind, dataPlaneRefusal, mapArmError } from '../errors.ts'
import { storageAccountName, TAGS } from '../names.ts'
import { requestRetryPolicy } from '../request-retry.ts'

/** The tag that marks a topic cloudfn made for its subscribers (beside `cloudfn:managed`). */
export const SHARED_TOPIC_TAG = 'cloudfn:sharedTopic'
/** Labels on a subscriber's event subscription: cloudfn's, and whose. */
export const SUBSCRIPTION_LABELS = (functionName: string) => ['cloudfn-managed', `cloudfn-function:${functionName}`]
/** The event type cloudfn publishes with (Event Grid schema events need one). */
export const MESSAGE_EVENT_TYPE = 'cloudfn.message'

/** Names Event Grid reserves as topic name prefixes (https://learn.microsoft.com/azure/event-grid/troubleshoot-errors). */
const RESERVED_PREFIXES = ['microsoft', 'eventgrid', 'system']

/** A subscriber's event subscription: 3-64 letters, digits and '-' (cloudfn names give at most 48). */
export function eventSubscriptionName(functionName: string): string {
  return `cloudfn-${functionName}`
}

/** The subscriber's own dead-letter container (3-63 characters, as the deployment container's name). */
export function deadLetterContainer(app: string): string {
  return `dead-letter-${app}`.slice(0, 63).replace(/-+$/, '')
}

/** Delivery attempts of a subscriber's copy before Event Grid dead-letters it (default: Event Grid's 30). */
export function deliveryAttempts(trigger: TopicTrigger): number {
  return topicRetries(trigger, AZURE_CAPABILITIES.triggers.topic?.maxRetries ?? { default: 29 }) + 1
}

/** What Event Grid refuses in a topic's name, refused before anything is made (cloudfn names are at most 40 characters). */
export function checkTopicTrigger(trigger: TopicTrigger): void {
  if (trigger.name.length < 3) {
    fail(
      'trigger.name',
      `must have at least 3 characters on azure, whose Event Grid topic names are 3-50 (got "${trigger.name}")`,
    )
  }
  const reserved = RESERVED_PREFIXES.find((prefix) => trigger.name.startsWith(prefix))
  if (reserved) fail('trigger.name', `cannot start with '${reserved}' on azure: Event Grid reserves it (got "${trigger.name}")`)
}

const clients = new WeakMap<object, Promise<EventGridManagementClient>>()

/** `@azure/arm-eventgrid`, loaded on first use (only topic triggers need it), with cloudfn's retry policy as the other clients. */
export function eventGridClient(context: AzureContext): Promise<EventGridManagementClient> {
  let client = clients.get(context.sdk)
  if (!client) {
    client = Promise.all([import('@azure/arm-eventgrid'), context.sdk.credential()]).then(
      ([sdk, credential]) =>
        new sdk.EventGridManagementClient(credential, context.settings.subscriptionId, {
          retryOptions: { maxRetries: 0 },
          additionalPolicies: [{ policy: requestRetryPolicy(), position: 'perRetry' }],
        }),
    )
    client.catch(() => clients.delete(context.sdk))
    clients.set(context.sdk, client)
  }
  return client
}

export const lro = (context: AzureContext, signal: AbortSignal | undefined) => ({
  updateIntervalInMs: context.settings.pollIntervalMs,
  abortSignal: signal,
})

async function getTopic(context: AzureContext, topic: string, signal: AbortSignal | undefined): Promise<Topic | undefined> {
  const client = await eventGridClient(context)
  return armFind('reading', `Event Grid topic '${topic}'`, () =>
    client.topics.get(context.settings.resourceGroup, topic, { abortSignal: signal }),
  )
}

/** A topic (custom or system) cloudfn made for its subscribers: it carries both tags. */
export const madeByCloudfn = (topic: Pick<Topic, 'tags'> | undefined) =>
  topic?.tags?.[TAGS.managed] === 'true' && topic.tags[SHARED_TOPIC_TAG] === 'true'

/** The app's Event Grid trigger function an event subscription delivers to (the topic's, or the storage trigger's). */
export function functionResourceId(context: AzureContext, app: string, fn = TOPIC_FUNCTION): string {
  const { subscriptionId, resourceGroup } = context.settings
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Web/sites/${app}/functions/${fn}`
}

/** cloudfn's storage account (topic subscribers' dead letters; the source of the storage trigger's system topic). */
export function storageAccountId(context: AzureContext): string {
  const { subscriptionId, resourceGroup } = context.settings
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${storageAccountName(context.scope)}`
}

/**
 * Subscribes the app's Event Grid function to the topic (after the host lists
 * it: Event Grid checks the destination function when the subscription is
 * made): the topic unless it exists, the dead-letter container, then the event
 * subscription, created or updated to the trigger's retries.
 */
export async function joinTopic(
  context: AzureContext,
  app: string,
  functionName: string,
  trigger: TopicTrigger,
  signal: AbortSignal | undefined,
): Promise<void> {
  const client = await eventGridClient(context)
  const { resourceGroup, location } = context.settings
  if (!(await getTopic(context, trigger.name, signal))) {
    const tags = { [TAGS.managed]: 'true', [SHARED_TOPIC_TAG]: 'true' }
    // A PUT of a topic another subscriber made meanwhile only rewrites the same tags.
    await armCall('creating', `Event Grid topic '${trigger.name}'`, () =>
      client.topics.beginCreateOrUpdateAndWait(resourceGroup, trigger.name, { location, tags }, lro(context, signal)),
    )
  }
  const { storage } = await context.sdk.clients()
  const container = deadLetterContainer(app)
  try {
    await armCall('creating', `dead-letter container '${container}'`, () =>
      storage.blobContainers.create(resourceGroup, storageAccountName(context.scope), container, {}, { abortSignal: signal }),
    )
  } catch (error) {
    // It exists already (an earlier deploy): it keeps its dead letters.
    if (!ConflictError.isInstance(error)) throw error
  }
  const subscription: EventSubscription = {
    destination: {
      endpointType: 'AzureFunction',
      resourceId: functionResourceId(context, app),
      // One event per delivery, as the Node model's single-event handler takes it.
      maxEventsPerBatch: 1,
      preferredBatchSizeInKilobytes: 64,
    },
    labels: SUBSCRIPTION_LABELS(functionName),
    eventDeliverySchema: 'EventGridSchema',
    // Event Grid's default time to live (1 day): the longest it keeps retrying.
    retryPolicy: { maxDeliveryAttempts: deliveryAttempts(trigger), eventTimeToLiveInMinutes: 1440 },
    deadLetterDestination: {
      endpointType: 'StorageBlob',
      resourceId: storageAccountId(context),
      blobContainerName: container,
    },
  }
  const name = eventSubscriptionName(functionName)
  await armCall('subscribing', `function '${functionName}' to Event Grid topic '${trigger.name}'`, () =>
    client.topicEventSubscriptions.beginCreateOrUpdateAndWait(
      resourceGroup,
      trigger.name,
      name,
      subscription,
      lro(context, signal),
    ),
  )
}

/**
 * After a subscriber leaves `topic` (removed, or moved to another topic or
 * trigger): its event subscription and dead-letter container go, then the
 * topic if no event subscription is left on it and cloudfn made it.
 */
export async function leaveTopic(
  context: AzureContext,
  app: string,
  functionName: string,
  topic: string,
  signal: AbortSignal | undefined,
  keepDeadLetters = false,
): Promise<void> {
  const client = await eventGridClient(context)
  const { resourceGroup } = context.settings
  await armFind('unsubscribing', `function '${functionName}' from Event Grid topic '${topic}'`, () =>
    client.topicEventSubscriptions.beginDeleteAndWait(
      resourceGroup,
      topic,
      eventSubscriptionName(functionName),
      lro(context, signal),
    ),
  )
  const { storage } = await context.sdk.clients()
  // A subscriber moving to another topic keeps its dead letters (the container is its own, not the topic's).
  if (!keepDeadLetters)
    await armFind('deleting', `dead-letter container '${deadLetterContainer(app)}'`, () =>
      storage.blobContainers.delete(resourceGroup, storageAccountName(context.scope), deadLetterContainer(app), {
        abortSignal: signal,
      }),
    )
  if (!(await leavingDeletesTopic(context, topic, signal))) return
  // Not atomic (ARM has no conditional delete): a subscriber joining this very moment loses the topic and must deploy again.
  await armFind('deleting', `Event Grid topic '${topic}'`, () =>
    client.topics.beginDeleteAndWait(resourceGroup, topic, lro(context, signal)),
  )
}

/** Whether the topic would go now: cloudfn made it and no event subscription is left on it (reads only; a plan asks too). */
export async function leavingDeletesTopic(
  context: AzureContext,
  topic: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (!madeByCloudfn(await getTopic(context, topic, signal))) return false
  const client = await eventGridClient(context)
  const left = await armFind('listing the event subscriptions of', `Event Grid topic '${topic}'`, async () => {
    for await (const _ of client.topicEventSubscriptions.list(context.settings.resourceGroup, topic, { abortSignal: signal })) {
      return true
    }
    return false
  })
  return left === false
}

/** Whether the topic exists (a plan asks: a subscriber's deploy makes it only when it does not). */
export async function topicExists(context: AzureContext, topic: string, signal: AbortSignal | undefined): Promise<boolean> {
  return (await getTopic(context, topic, signal)) !== undefined
}

/** The topic's publish endpoint, read from ARM once per topic and provider. */
const endpoints = new WeakMap<object, Map<string, string>>()

async function endpointOf(context: AzureContext, topic: string, signal: AbortSignal | undefined): Promise<string> {
  const known = endpoints.get(context.sdk)?.get(topic)
  if (known) return known
  const found = await getTopic(context, topic, signal)
  const endpoint = found?.endpoint
  if (!endpoint) {
    throw new NotFoundError({
      provider: 'azure',
      resource: topic,
      message: `Topic '${topic}' does not exist on azure; deploy a function with topic({ name: '${topic}' }) first`,
    })
  }
  const map = endpoints.get(context.sdk) ?? new Map<string, string>()
  map.set(topic, endpoint)
  endpoints.set(context.sdk, map)
  return endpoint
}

/** publish(): one Event Grid schema event whose data is the message; each event subscription delivers it. */
export async function publishToTopic(
  context: AzureContext,
  request: PublishRequest,
  signal: AbortSignal | undefined,
): Promise<{ messageId: string }> {
  const endpoint = await endpointOf(context, request.topic, signal)
  const [{ EventGridPublisherClient }, credential] = await Promise.all([import('@azure/eventgrid'), context.sdk.credential()])
  const client = new EventGridPublisherClient(endpoint, 'EventGrid', credential, { retryOptions: { maxRetries: 0 } })
  const id = randomUUID()
  const event = {
    id,
    eventType: MESSAGE_EVENT_TYPE,
    subject: request.topic,
    dataVersion: '1.0',
    data: { message: JSON.parse(request.message) as unknown },
  }
  try {
    await client.send([event], { abortSignal: signal })
    return { messageId: id }
  } catch (error) {
    if (signal?.aborted) throw error
    const refused = dataPlaneRefusal(
      error,
      (status) =>
        `Event Grid refused a message for topic '${request.topic}' (HTTP ${status}); the credential needs 'EventGrid Data Sender' on the topic`,
    )
    if (refused) throw refused
    const status = (error as { statusCode?: number }).statusCode
    // The topic went since its endpoint was read: read it again (NotFound when it is gone).
    if (status === 404 || (error as { code?: string }).code === 'ENOTFOUND') {
      endpoints.get(context.sdk)?.delete(request.topic)
      await endpointOf(context, request.topic, signal)
    }
    throw mapArmError(error, 'publishing to', `Event Grid topic '${request.topic}'`)
  }
}

/** For deploy: the subscription follows the trigger (joins, updates its retries, or leaves the topic it had). */
export async function syncTopic(
  context: AzureContext,
  app: string,
  functionName: string,
  trigger: Trigger | undefined,
  previous: Trigger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (previous?.kind === 'topic' && !(trigger?.kind === 'topic' && trigger.name === previous.name)) {
    await leaveTopic(context, app, functionName, previous.name, signal, trigger?.kind === 'topic')
  }
  if (trigger?.kind === 'topic') await joinTopic(context, app, functionName, trigger, signal)
}

/** What a plan of a topic trigger reads, as deploy's own steps would (src/plan.ts TopicFacts). */
export async function readTopicFacts(
  context: AzureContext,
  functionName: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
  signal: AbortSignal | undefined,
): Promise<TopicFacts> {
  const moved = before?.kind === 'topic' && !(after?.kind === 'topic' && after.name === before.name)
  return {
    topicExists: after?.kind === 'topic' ? await topicExists(context, after.name, signal) : false,
    leftTopicDeleted: moved ? await noOtherSubscriber(context, functionName, before.name, signal) : false,
  }
}

/**
 * Whether leaving deletes the topic, as leaveTopic decides once the subscriber's own subscription is gone: cloudfn
 * made it and no subscription but the subscriber's own is on it. Not "at most one": when its own was deleted
 * outside cloudfn, one other subscriber keeps the topic, and the plan must say so too.
 */
async function noOtherSubscriber(
  context: AzureContext,
  functionName: string,
  topic: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (!madeByCloudfn(await getTopic(context, topic, signal))) return false
  const client = await eventGridClient(context)
  const own = eventSubscriptionName(functionName).toLowerCase()
  const subscriptions = await listSubscriptions(`Event Grid topic '${topic}'`, () =>
    client.topicEventSubscriptions.list(context.settings.resourceGroup, topic, { abortSignal: signal }),
  )
  return subscriptions.every((subscription) => (subscription.name ?? '').toLowerCase() === own)
}

/** Every event subscription a listing of `what` yields (none when it is gone). */
export async function listSubscriptions(
  what: string,
  list: () => AsyncIterable<EventSubscription>,
): Promise<EventSubscription[]> {
  const subscriptions: EventSubscription[] = []
  await armFind('listing the event subscriptions of', what, async () => {
    for await (const sub of list()) subscriptions.push(sub)
    return true
  })
  return subscriptions
}

/** How many event subscriptions a listing of `what` yields, counting at most two (whether one has company); 0 when it is gone. */
export async function countSubscriptions(what: string, list: () => AsyncIterable<unknown>): Promise<number> {
  let count = 0
  await armFind('listing the event subscriptions of', what, async () => {
    for await (const _ of list()) {
      count++
      if (count > 1) break
    }
    return true
  })
  return count
}

/**
 * A subscriber's dead letters go to its blob container on Azure, not to the
 * portable `<function>-dead-letter` queue: the portable queue's changes give
 * way to the container's, which follow the trigger kind alone (syncTopic
 * makes it on joining a topic and deletes it on leaving topics, and keeps it
 * on a move between topics). The portable names cannot say it: a queue named
 * after the function has the same dead-letter queue as a topic subscriber.
 */
export function withTopicDeadLetters(
  changes: PlanChange[],
  name: string,
  app: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): PlanChange[] {
  const portable = new Set<string>()
  for (const trigger of [before, after]) {
    if (trigger?.kind === 'topic') portable.add(`queue:${topicNames(trigger, name).deadLetter}`)
  }
  const container = deadLetterContainer(app)
  const kept = changes
    .filter((change) => !((change.kind === 'create-queue' || change.kind === 'delete-queue') && portable.has(change.resource)))
    .map((change) => ({
      ...change,
      detail: change.detail.replace(/dead letters to [a-z0-9-]+-dead-letter/g, `dead letters to ${container}`),
    }))
  const resource = `container:${container}`
  if (after?.kind === 'topic' && before?.kind !== 'topic') {
    // Made before the link that names it as the dead-letter destination.
    const link = kept.findIndex((change) => change.kind === 'update-topic-link')
    const made: PlanChange = { kind: 'create-queue', resource, detail: 'dead-letter blob container' }
    kept.splice(link === -1 ? kept.length : link, 0, made)
  }
  if (before?.kind === 'topic' && after?.kind !== 'topic') {
    // Deleted before the topic it was the dead-letter destination on (leaveTopic's order).
    const topic = kept.findIndex((change) => change.kind === 'delete-topic')
    const gone: PlanChange = { kind: 'delete-queue', resource, detail: 'dead-letter blob container, no longer used' }
    kept.splice(topic === -1 ? kept.length : topic, 0, gone)
  }
  return kept
}

/**
 * For gc: what a remove that stopped half-way (or two last subscribers leaving at once) left of topics:
 * subscribers' dead-letter containers whose app is gone, and topics cloudfn made with no event
 * subscription left. ARM gives neither a change time, so they go only with `olderThanMs: 0`, as queues do.
 * Without `@azure/arm-eventgrid` installed no topic can have been made: there is nothing to list.
 */
export async function topicLeftovers(
  context: AzureContext,
  containers: readonly string[],
  appStays: (app: string) => boolean,
  signal: AbortSignal | undefined,
): Promise<GcCandidate[]> {
  const { resourceGroup } = context.settings
  const candidates: GcCandidate[] = []
  for (const name of containers) {
    const app = name.replace(/^dead-letter-/, '')
    if (!name.startsWith('dead-letter-cf-') || deadLetterContainer(app) !== name) continue
    candidates.push({
      resource: `container:${name}`,
      changedAt: undefined,
      unused: !appStays(app),
      remove: async () => {
        const { storage } = await context.sdk.clients()
        await armFind('deleting', `container '${name}'`, () =>
          storage.blobContainers.delete(resourceGroup, storageAccountName(context.scope), name, { abortSignal: signal }),
        )
      },
    })
  }
  const client = await eventGridClient(context).catch(() => undefined)
  if (!client) return candidates
  const topics: Topic[] = []
  await armFind('listing the Event Grid topics of', `resource group '${resourceGroup}'`, async () => {
    for await (const topic of client.topics.listByResourceGroup(resourceGroup, { abortSignal: signal })) topics.push(topic)
    return true
  })
  for (const topic of topics) {
    const name = topic.name ?? ''
    const left = await topicLeftoversOf(
      { resource: `topic:${name}`, made: madeByCloudfn(topic) },
      () => client.topicEventSubscriptions.list(resourceGroup, name, { abortSignal: signal }),
      appStays,
      (subName) => client.topicEventSubscriptions.beginDeleteAndWait(resourceGroup, name, subName, lro(context, signal)),
      () => client.topics.beginDeleteAndWait(resourceGroup, name, lro(context, signal)),
    )
    candidates.push(...left.candidates)
  }
  return candidates
}

/**
 * For gc, one topic's leftovers (a custom topic, or the storage trigger's system topic): cloudfn's event
 * subscriptions whose app is gone (Event Grid would keep failing to deliver to them), then the topic if
 * cloudfn made it, unused once those are gone. Answers the candidates and the subscriptions that stay.
 */
export async function topicLeftoversOf(
  topic: { resource: string; made: boolean },
  list: () => AsyncIterable<EventSubscription>,
  appStays: (app: string) => boolean,
  removeSubscription: (name: string) => Promise<unknown>,
  removeTopic: () => Promise<unknown>,
): Promise<{ candidates: GcCandidate[]; staying: EventSubscription[] }> {
  const topicName = topic.resource.replace(/^topic:/, '')
  const subscriptions = await listSubscriptions(`Event Grid topic '${topicName}'`, list)
  const orphaned = (sub: EventSubscription) => {
    const app = /\/sites\/([^/]+)\/functions\//i.exec(subscriberResourceId(sub))?.[1]
    return sub.labels?.includes('cloudfn-managed') === true && app !== undefined && !appStays(app)
  }
  const candidates: GcCandidate[] = subscriptions.filter(orphaned).map((sub) => {
    const name = sub.name ?? ''
    return {
      resource: `event-subscription:${topicName}/${name}`,
      changedAt: undefined,
      unused: true,
      remove: () => armFind('deleting', `event subscription '${name}'`, () => removeSubscription(name)),
    }
  })
  const staying = subscriptions.filter((sub) => !orphaned(sub))
  if (topic.made)
    candidates.push({
      resource: topic.resource,
      changedAt: undefined,
      unused: staying.length === 0,
      remove: () => armFind('deleting', `Event Grid topic '${topicName}'`, removeTopic),
    })
  return { candidates, staying }
}

/** The function an event subscription delivers to (its AzureFunction destination's resource id), or ''. */
function subscriberResourceId(sub: EventSubscription): string {
  const destination = sub.destination as { endpointType?: string; resourceId?: string } | undefined
  return destination?.endpointType === 'AzureFunction' ? (destination.resourceId ?? '') : ''
}
