/**
 * `.../providers/Microsoft.EventGrid/topics[/T[/listKeys | /eventSubscriptions[/E]]]`:
 * Event Grid custom topics and their event subscriptions, as
 * Azure/azure-rest-api-specs publishes them
 * (specification/eventgrid/resource-manager/Microsoft.EventGrid, stable 2022-06-15, the version
 * `@azure/arm-eventgrid` 14 sends): Topics_CreateOrUpdate (PUT, 201, long-running),
 * Topics_Get, Topics_ListByResourceGroup, Topics_Delete (202/204, long-running),
 * Topics_ListSharedAccessKeys (POST listKeys), TopicEventSubscriptions_CreateOrUpdate
 * (PUT, 201, long-running), _Get, _List and _Delete (202/204, long-running). As
 * elsewhere in the emulator (lro.ts), a change is visible once a poll finds its
 * operation Succeeded. Name rules: https://learn.microsoft.com/azure/event-grid/troubleshoot-errors
 * (topic names 3-50 letters, digits and '-'); event subscription names 3-64 of the same.
 */

import type { ArmContext } from './arm-resources.ts'
import { randomSecret } from './arm-resources.ts'
import type { EventSubscriptionState, TopicState } from './eventgrid-state.ts'
import { topicEndpoint } from './eventgrid-state.ts'
import { armError, asRecord, asStringMap, badJson, json, readJson } from './http.ts'
import { type AzureState, key } from './state.ts'

const TOPIC_NAME = /^[A-Za-z0-9-]{3,50}$/
const SUBSCRIPTION_NAME = /^[A-Za-z0-9-]{3,64}$/
const CUSTOM = 'Microsoft.EventGrid/topics'
const SYSTEM = 'Microsoft.EventGrid/systemTopics'

const typeOf = (topic: Pick<TopicState, 'system'>) => (topic.system ? SYSTEM : CUSTOM)

/** Where a topic is: the subscription and resource group its id names. */
type Place = Pick<ArmContext, 'subscription' | 'resourceGroup'>

function topicId(context: Place, name: string, type = CUSTOM): string {
  return `/subscriptions/${context.subscription}/resourceGroups/${context.resourceGroup}/providers/${type}/${name}`
}

function topicBody(context: Place, topic: TopicState, provisioningState = 'Succeeded') {
  if (topic.system) {
    return {
      id: topicId(context, topic.name, SYSTEM),
      name: topic.name,
      type: SYSTEM,
      location: topic.location,
      tags: topic.tags,
      identity: { type: 'None' },
      properties: {
        provisioningState,
        source: topic.system.source,
        topicType: topic.system.topicType,
      },
    }
  }
  return {
    id: topicId(context, topic.name),
    name: topic.name,
    type: CUSTOM,
    location: topic.location,
    tags: topic.tags,
    sku: { name: 'Basic' },
    identity: { type: 'None' },
    properties: {
      provisioningState,
      endpoint: topicEndpoint(topic),
      inputSchema: topic.inputSchema,
      publicNetworkAccess: 'Enabled',
      disableLocalAuth: false,
      dataResidencyBoundary: 'WithinGeopair',
    },
  }
}

function subscriptionBody(context: ArmContext, topic: TopicState, sub: EventSubscriptionState, provisioningState = 'Succeeded') {
  const { endpointType, ...destination } = sub.destination
  return {
    id: `${topicId(context, topic.name, typeOf(topic))}/providers/Microsoft.EventGrid/eventSubscriptions/${sub.name}`,
    name: sub.name,
    // As the spec's examples (TopicEventSubscriptions_Get, SystemTopicEventSubscriptions_CreateOrUpdate) show them:
    // the type under the topic's, and `topic` the (system) topic's own id.
    type: `${typeOf(topic)}/eventSubscriptions`,
    properties: {
      topic: topicId(context, topic.name, typeOf(topic)),
      provisioningState,
      destination: { endpointType, properties: destination },
      filter: sub.filter,
      labels: sub.labels,
      eventDeliverySchema: sub.eventDeliverySchema,
      retryPolicy: sub.retryPolicy,
      ...(sub.deadLetter ? { deadLetterDestination: { endpointType: 'StorageBlob', properties: sub.deadLetter } } : {}),
    },
  }
}

const missingTopic = (context: ArmContext, name: string, type = CUSTOM) =>
  armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${context.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  )

const methodNotAllowed = (request: Request) => armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)

/**
 * Custom topics, or with `system` the system topics (Microsoft.EventGrid/systemTopics, SystemTopics_* in the
 * same spec): PUT with `properties.source` (the resource whose events it carries) and `topicType`, one per
 * source; no keys (nothing publishes to them but the source).
 */
export async function eventGridTopics(
  context: ArmContext,
  name: string | undefined,
  rest: string[],
  system = false,
): Promise<Response> {
  const { request, state } = context
  const topics = system ? state.eventGrid.systemTopics : state.eventGrid.topics
  const type = system ? SYSTEM : CUSTOM
  if (name === undefined) {
    if (request.method !== 'GET') return methodNotAllowed(request)
    const inGroup = [...topics.values()].filter((topic) => key(topic.resourceGroup) === key(context.resourceGroup))
    return json({ value: inGroup.map((topic) => topicBody(context, topic)) })
  }
  if (!TOPIC_NAME.test(name)) {
    return armError(400, 'BadRequest', 'Topic name must be between 3 and 50 characters in length.')
  }
  const id = key(context.resourceGroup, name)
  const topic = topics.get(id)
  const action = rest[0]?.toLowerCase()
  if (action === 'listkeys' && !system) {
    if (request.method !== 'POST') return methodNotAllowed(request)
    return topic ? json({ key1: topic.keys[0], key2: topic.keys[1] }) : missingTopic(context, name)
  }
  if (action === 'eventsubscriptions') {
    if (!topic) return missingTopic(context, name, type)
    return eventSubscriptions(context, topic, rest[1])
  }
  if (action !== undefined) return armError(404, 'NotFound', 'No route.')
  switch (request.method) {
    case 'GET':
      return topic ? json(topicBody(context, topic)) : missingTopic(context, name, type)
    case 'PUT': {
      if (!state.resourceGroups.has(key(context.resourceGroup))) {
        return armError(404, 'ResourceGroupNotFound', `Resource group '${context.resourceGroup}' could not be found.`)
      }
      const body = await readJson(request)
      if (!body) return badJson()
      if (typeof body.location !== 'string') {
        return armError(400, 'LocationRequired', 'The location property is required for this definition.')
      }
      const properties = asRecord(body.properties)
      const inputSchema = typeof properties.inputSchema === 'string' ? properties.inputSchema : 'EventGridSchema'
      const source = typeof properties.source === 'string' ? properties.source : ''
      const topicType = typeof properties.topicType === 'string' ? properties.topicType : ''
      if (system && (!source || !topicType)) {
        return armError(400, 'BadRequest', 'A system topic needs properties.source and properties.topicType.')
      }
      const other = system ? state.eventGrid.systemTopicFor(source) : undefined
      if (other && other !== topic) {
        // Event Grid's own words for it, as recorded in MicrosoftDocs/azure-docs#97986 (and Azure/arm-template-whatif#424).
        return armError(
          400,
          'InvalidRequest',
          `There is an existing tracked system topic for the given source ${source}. Only one system topic is allowed per source.`,
        )
      }
      const next: TopicState = topic
        ? { ...topic, tags: asStringMap(body.tags) }
        : {
            name,
            resourceGroup: context.resourceGroup,
            subscription: context.subscription,
            location: body.location.toLowerCase(),
            tags: asStringMap(body.tags),
            inputSchema,
            keys: [randomSecret(32), randomSecret(32)],
            subscriptions: new Map(),
            ...(system ? { system: { source, topicType } } : {}),
          }
      // Topics_CreateOrUpdate answers 201 with the topic still Creating (x-ms-long-running-operation).
      return context.lro.start(
        request,
        'async-operation',
        201,
        topicBody(context, next, 'Creating'),
        context.subscription,
        () => {
          // Two PUTs at once (two first subscribers): the later keeps the subscriptions the earlier's topic has.
          const current = topics.get(id)
          topics.set(id, current ? { ...current, tags: next.tags } : next)
          return topicBody(context, topics.get(id) ?? next)
        },
      )
    }
    case 'DELETE':
      if (!topic) return new Response(null, { status: 204 })
      // Topics_Delete: 202, done when the operation is; the topic's event subscriptions go with it.
      return context.lro.start(request, 'async-operation', 202, undefined, context.subscription, () => {
        topics.delete(id)
        return undefined
      })
    default:
      return methodNotAllowed(request)
  }
}

/**
 * `GET /subscriptions/S/providers/Microsoft.EventGrid/systemTopics` (SystemTopics_ListBySubscription in the same
 * spec): every system topic of the subscription, whatever its resource group (the spec's SystemTopics_Get example
 * has a topic in another group than its source's).
 */
export function listSystemTopicsOfSubscription(state: AzureState, subscription: string, request: Request): Response {
  if (request.method !== 'GET') return methodNotAllowed(request)
  const value = [...state.eventGrid.systemTopics.values()].map((topic) =>
    topicBody({ subscription, resourceGroup: topic.resourceGroup }, topic),
  )
  return json({ value })
}

/**
 * The event types a storage account's system topic publishes, as
 * https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage lists them ("Available event types").
 */
const STORAGE_EVENT_TYPES = [
  'BlobCreated',
  'BlobDeleted',
  'BlobRenamed',
  'DirectoryCreated',
  'DirectoryRenamed',
  'DirectoryDeleted',
  'BlobTierChanged',
  'AsyncOperationInitiated',
  'BlobInventoryPolicyCompleted',
  'LifecyclePolicyCompleted',
  'StorageTaskQueued',
  'StorageTaskCompleted',
  'StorageTaskAssignmentQueued',
  'StorageTaskAssignmentCompleted',
].map((type) => `microsoft.storage.${type.toLowerCase()}`)

/**
 * A system topic's event subscription may name only event types of its topic type
 * (https://learn.microsoft.com/azure/event-grid/subscription-creation-schema, `includedEventTypes`: an error when a
 * name is not an event type registered for the event source); modelled for storage accounts. The real message is
 * UNCONFIRMED.
 */
function unknownEventType(topic: TopicState, filter: Record<string, unknown>): Response | undefined {
  if (topic.system?.topicType.toLowerCase() !== 'microsoft.storage.storageaccounts') return undefined
  const types = Array.isArray(filter.includedEventTypes) ? filter.includedEventTypes : []
  const unknown = types.find((type) => !STORAGE_EVENT_TYPES.includes(String(type).toLowerCase()))
  if (unknown === undefined) return undefined
  return armError(400, 'BadRequest', `Invalid event type '${String(unknown)}' for topic type '${topic.system.topicType}'.`)
}

/** A checked event subscription, or the 400 ARM answers for the first thing wrong with it. */
function parseSubscription(context: ArmContext, name: string, body: Record<string, unknown>): EventSubscriptionState | Response {
  const properties = asRecord(body.properties)
  const destination = asRecord(properties.destination)
  const target = asRecord(destination.properties)
  const bad = (message: string) => armError(400, 'BadRequest', message)
  if (destination.endpointType !== 'AzureFunction') {
    return bad(`The emulator models AzureFunction destinations only (got '${String(destination.endpointType)}').`)
  }
  const resourceId = typeof target.resourceId === 'string' ? target.resourceId : ''
  // The function must exist with an Event Grid trigger: Event Grid resolves its webhook when the subscription is made.
  const fn =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/([^/]+)\/functions\/([^/]+)$/i.exec(
      resourceId,
    )
  const site = fn && context.state.site(fn[1] ?? '')
  const listed = site?.listedFunctions.find((entry) => entry.name.toLowerCase() === fn?.[2]?.toLowerCase())
  if (listed?.kind !== 'eventGrid') {
    return bad(`Destination function '${resourceId}' does not exist or has no Event Grid trigger.`)
  }
  const retry = asRecord(properties.retryPolicy)
  const attempts = retry.maxDeliveryAttempts === undefined ? 30 : Number(retry.maxDeliveryAttempts)
  const ttl = retry.eventTimeToLiveInMinutes === undefined ? 1440 : Number(retry.eventTimeToLiveInMinutes)
  // https://learn.microsoft.com/azure/event-grid/manage-event-delivery: 1-30 attempts, 1-1440 minutes.
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 30) {
    return bad('MaxDeliveryAttempts must be between 1 and 30.')
  }
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440) return bad('EventTimeToLiveInMinutes must be between 1 and 1440.')
  const deadLetterBody = asRecord(properties.deadLetterDestination)
  let deadLetter: EventSubscriptionState['deadLetter']
  if (properties.deadLetterDestination !== undefined) {
    const dl = asRecord(deadLetterBody.properties)
    if (
      deadLetterBody.endpointType !== 'StorageBlob' ||
      typeof dl.resourceId !== 'string' ||
      typeof dl.blobContainerName !== 'string'
    ) {
      return bad('The dead letter destination must be a StorageBlob with a resourceId and a blobContainerName.')
    }
    deadLetter = { resourceId: dl.resourceId, blobContainerName: dl.blobContainerName }
  }
  const number = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback)
  return {
    name,
    destination: {
      endpointType: 'AzureFunction',
      resourceId,
      maxEventsPerBatch: number(target.maxEventsPerBatch, 1),
      preferredBatchSizeInKilobytes: number(target.preferredBatchSizeInKilobytes, 64),
    },
    retryPolicy: { maxDeliveryAttempts: attempts, eventTimeToLiveInMinutes: ttl },
    deadLetter,
    labels: Array.isArray(properties.labels) ? properties.labels.filter((label) => typeof label === 'string') : [],
    eventDeliverySchema: typeof properties.eventDeliverySchema === 'string' ? properties.eventDeliverySchema : 'EventGridSchema',
    filter: asRecord(properties.filter),
  }
}

async function eventSubscriptions(context: ArmContext, topic: TopicState, name: string | undefined): Promise<Response> {
  const { request } = context
  if (name === undefined) {
    if (request.method !== 'GET') return methodNotAllowed(request)
    return json({ value: [...topic.subscriptions.values()].map((sub) => subscriptionBody(context, topic, sub)) })
  }
  if (!SUBSCRIPTION_NAME.test(name)) {
    return armError(400, 'BadRequest', 'Event subscription name must be between 3 and 64 characters in length.')
  }
  const id = name.toLowerCase()
  const existing = topic.subscriptions.get(id)
  switch (request.method) {
    case 'GET':
      return existing
        ? json(subscriptionBody(context, topic, existing))
        : armError(404, 'ResourceNotFound', `The event subscription '${name}' was not found.`)
    case 'PUT': {
      const body = await readJson(request)
      if (!body) return badJson()
      const parsed = parseSubscription(context, existing?.name ?? name, body)
      if (parsed instanceof Response) return parsed
      const unknownType = unknownEventType(topic, parsed.filter)
      if (unknownType) return unknownType
      return context.lro.start(
        request,
        'async-operation',
        201,
        subscriptionBody(context, topic, parsed, existing ? 'Updating' : 'Creating'),
        context.subscription,
        () => {
          topic.subscriptions.set(id, parsed)
          return subscriptionBody(context, topic, parsed)
        },
      )
    }
    case 'DELETE':
      if (!existing) return new Response(null, { status: 204 })
      return context.lro.start(request, 'async-operation', 202, undefined, context.subscription, () => {
        topic.subscriptions.delete(id)
        return undefined
      })
    default:
      return methodNotAllowed(request)
  }
}
