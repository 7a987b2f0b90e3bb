/**
 * A storage() trigger on Azure (decided in docs/FIDELITY.md, "Blob Storage
 * events"): the bucket is a blob container in cloudfn's storage account, and
 * its events come through the account's Event Grid **system topic**
 * (Microsoft.EventGrid/systemTopics, topic type Microsoft.Storage.StorageAccounts)
 * with one **event subscription** `cloudfn-<function>` per subscriber, whose
 * destination is the app's Event Grid trigger function `cloudfn-storage`: the
 * delivery path of topic() (triggers/topic.ts), so the same retries (Event
 * Grid's default 30 attempts within a day). Its filter is Event Grid's own:
 * includedEventTypes `Microsoft.Storage.BlobCreated` / `BlobDeleted` per
 * `events`, subjectBeginsWith `/blobServices/default/containers/<bucket>/blobs/<prefix>`,
 * subjectEndsWith `<suffix>`, case-sensitive as blob names are
 * (https://learn.microsoft.com/azure/event-grid/event-filtering,
 * https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage).
 * Not the Event Grid based blob trigger Flex Consumption documents: it fires
 * on creations only (no deletions) and downloads every blob to the function.
 *
 * Ownership: a container the deploy makes carries the metadata
 * `cloudfn_managed` and `cloudfn_bucket` (metadata names are C# identifiers:
 * no `cloudfn:` as on tags); one that exists is used as it is. The last
 * subscriber out (no event subscription left that filters on the container)
 * deletes it only if cloudfn made it and it holds no blob. The system topic
 * is one per account (Event Grid allows one per source): one that exists is
 * used whoever made it; one cloudfn made carries topic()'s tags, and goes
 * when no event subscription is left on it.
 */
import type { EventSubscription, SystemTopic } from '@azure/arm-eventgrid'
import type { BlobContainer } from '@azure/arm-storage'
import { ConflictError } from '../../../src/errors/conflict.ts'
import { ProviderError } from '../../../src/errors/provider-error.ts'
import { UnauthorizedError } from '../../../src/errors/unauthorized.ts'
import type { GcCandidate } from '../../../src/gc.ts'
import type { PlanChange, StorageFacts } from '../../../src/plan.ts'
import type { StorageTrigger, Trigger } from '../../../src/triggers/types.ts'
import { fail } from '../../../src/validation.ts'
import { STORAGE_FUNCTION } from '../constants.ts'
import type { AzureContext } from '../context.ts'
import { armCall, armFind } from '../errors.ts'
import { storageAccountName, TAGS } from '../names.ts'
import { BLOB_EVENT_TYPES } from './storage-event.ts'
import {
  countSubscriptions,
  eventGridClient,
  eventSubscriptionName,
  functionResourceId,
  listSubscriptions,
  lro,
  madeByCloudfn,
  SHARED_TOPIC_TAG,
  SUBSCRIPTION_LABELS,
  storageAccountId,
  topicLeftoversOf,
} from './topic.ts'

/** Container metadata on a bucket cloudfn made (container metadata names must be C# identifiers). */
export const BUCKET_METADATA = { managed: 'cloudfn_managed', bucket: 'cloudfn_bucket' } as const

/**
 * Containers cloudfn and the Functions host keep in the same account: a
 * bucket of such a name would mix the user's objects with theirs (and be
 * deleted with an app). `azure-webjobs-`: the host's own (azure-webjobs-hosts,
 * azure-webjobs-secrets); `app-package-`: deployment packages (names.ts);
 * `dead-letter-`: topic subscribers' dead letters (triggers/topic.ts).
 */
const RESERVED_PREFIXES = ['azure-webjobs-', 'app-package-', 'dead-letter-']

/** Whether a container of cloudfn's account is its own or the host's (not a bucket). */
export function isAccountContainer(name: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/** The system topic cloudfn makes for its account's blob events (3-50 characters: the account name is at most 24). */
export function systemTopicName(account: string): string {
  return `cloudfn-${account}`
}

/** The subject of every blob event of the container (Event Grid's subject for Blob Storage events). */
const containerSubject = (bucket: string) => `/blobServices/default/containers/${bucket}/blobs/`

/** Refuses, before anything is made, a bucket name that cloudfn's own containers use in its account. */
export function checkStorageTrigger(trigger: StorageTrigger): void {
  const reserved = RESERVED_PREFIXES.find((prefix) => trigger.bucket.startsWith(prefix))
  if (reserved) {
    fail(
      'trigger.bucket',
      `cannot start with '${reserved}' on azure: buckets are blob containers in cloudfn's storage account, where such names are cloudfn's and the Functions host's own (got '${trigger.bucket}')`,
    )
  }
}

/** The event subscription of a subscriber: Event Grid's own filter does the events, prefix and suffix. */
function subscriptionFor(context: AzureContext, app: string, functionName: string, trigger: StorageTrigger): EventSubscription {
  return {
    destination: {
      endpointType: 'AzureFunction',
      resourceId: functionResourceId(context, app, STORAGE_FUNCTION),
      // One event per delivery, as the Node model's single-event handler takes it.
      maxEventsPerBatch: 1,
      preferredBatchSizeInKilobytes: 64,
    },
    filter: {
      includedEventTypes: trigger.events.map((event) => BLOB_EVENT_TYPES[event]),
      subjectBeginsWith: `${containerSubject(trigger.bucket)}${trigger.prefix ?? ''}`,
      ...(trigger.suffix === undefined ? {} : { subjectEndsWith: trigger.suffix }),
      // Blob names are case-sensitive; Event Grid's subject filters are not unless told.
      isSubjectCaseSensitive: true,
    },
    labels: SUBSCRIPTION_LABELS(functionName),
    eventDeliverySchema: 'EventGridSchema',
    // Event Grid's defaults (30 attempts, 1 day), as for a topic subscriber with no maxRetries.
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
  }
}

/** A system topic found: its name, its resource group (any of the subscription's), and whether cloudfn made it. */
interface FoundTopic {
  name: string
  group: string
  made: boolean
}

/**
 * What the search for the account's system topic found. `refused`: none is in
 * cloudfn's resource group and listing the subscription's was refused (403),
 * so one in another group may exist unseen, with event subscriptions on it:
 * a removal then cannot tell whether a bucket has other subscribers, and
 * keeps it (docs/FIDELITY.md, "Blob Storage events").
 */
interface TopicSearch {
  topic: FoundTopic | undefined
  refused: boolean
}

/**
 * The account's system topic, whoever made it (Event Grid allows one per
 * source), found by its source (compared without case: the spec's
 * SystemTopics_Get example reports it in lower case): first among cloudfn's
 * resource group's, then among the subscription's, since it may be in
 * another group than the account (that example is). Listing the
 * subscription's needs read access there; cloudfn's credential may have it
 * on its resource group only: a refusal is reported as `refused`, not taken
 * for "none".
 */
async function findSystemTopic(context: AzureContext, signal: AbortSignal | undefined): Promise<TopicSearch> {
  const client = await eventGridClient(context)
  const source = storageAccountId(context).toLowerCase()
  const { resourceGroup } = context.settings
  const search = (where: string, list: () => AsyncIterable<SystemTopic>) =>
    armFind('listing the Event Grid system topics of', where, async () => {
      for await (const topic of list()) if (topic.source?.toLowerCase() === source) return topic
      return undefined
    })
  let topic = await search(`resource group '${resourceGroup}'`, () =>
    client.systemTopics.listByResourceGroup(resourceGroup, { abortSignal: signal }),
  )
  let refused = false
  if (!topic) {
    try {
      topic = await search('the subscription', () => client.systemTopics.listBySubscription({ abortSignal: signal }))
    } catch (error) {
      if (!UnauthorizedError.isInstance(error)) throw error
      refused = true
    }
  }
  if (!topic?.name) return { topic: undefined, refused }
  const group = /\/resourceGroups\/([^/]+)\//i.exec(topic.id ?? '')?.[1] ?? resourceGroup
  return { topic: { name: topic.name, group, made: madeByCloudfn(topic) }, refused: false }
}

/**
 * The roles a credential needs to find and leave a system topic outside
 * cloudfn's resource group (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles):
 * Reader lists the subscription's system topics (Microsoft.EventGrid/systemTopics/read),
 * EventGrid EventSubscription Contributor deletes an event subscription on one.
 */
const TOPIC_ROLES =
  "'Reader' on the subscription (to list its Event Grid system topics) and 'EventGrid EventSubscription Contributor' on the system topic's resource group (to delete the event subscription)"

/**
 * Event Grid's refusal of a second system topic for one source: InvalidRequest
 * "There is an existing tracked system topic for the given source …. Only one
 * system topic is allowed per source." (recorded in MicrosoftDocs/azure-docs#97986
 * and Azure/arm-template-whatif#424, both inside a deployment's BadRequest).
 * Known by its words, not its status: whether the PUT itself answers 400 or
 * its long-running operation fails with it (no status) is not recorded.
 */
const isSecondSystemTopic = (error: unknown) =>
  ProviderError.isInstance(error) && /only one system topic is allowed per source/i.test(error.message)

/**
 * A deploy that could not list the subscription's system topics (403) made
 * its own and Event Grid refused it: the account's system topic is in
 * another resource group, unseen. Nothing was made (the topic comes first).
 */
function unseenTopicError(context: AzureContext, functionName: string, bucket: string, cause: unknown): UnauthorizedError {
  return new UnauthorizedError({
    provider: 'azure',
    cause,
    message: `Subscribing function '${functionName}' to the blob events of container '${bucket}': the storage account '${storageAccountName(context.scope)}' already has an Event Grid system topic outside resource group '${context.settings.resourceGroup}' (Event Grid allows one per account), and listing the subscription's system topics to find it was refused (403). The credential needs ${TOPIC_ROLES}.`,
  })
}

/** Warns, without failing the removal, that a system topic outside the resource group could not be looked for. */
function warnRefused(context: AzureContext, functionName: string, bucket: string): void {
  process.emitWarning(
    `Removing function '${functionName}' from the blob events of container '${bucket}': listing the subscription's Event Grid system topics was refused (403) and none is in resource group '${context.settings.resourceGroup}'. If the storage account's system topic is in another resource group, its event subscription '${eventSubscriptionName(functionName)}' was not found nor removed, and container '${bucket}' is kept (other functions may still subscribe to it). The credential needs ${TOPIC_ROLES}.`,
    'CloudfnAzureWarning',
  )
}

/** Whether an event subscription is the function's own (ARM resource names compare without case). */
const isOwn = (name: string, functionName: string) => name.toLowerCase() === eventSubscriptionName(functionName).toLowerCase()

/** Lists the system topic's event subscriptions (anyone's). */
async function subscriptionsOf(context: AzureContext, topic: FoundTopic, signal: AbortSignal | undefined) {
  const client = await eventGridClient(context)
  return () => client.systemTopicEventSubscriptions.listBySystemTopic(topic.group, topic.name, { abortSignal: signal })
}

/** The system topic's event subscriptions (anyone's), each read once. */
async function listedSubscriptions(
  context: AzureContext,
  topic: FoundTopic,
  signal: AbortSignal | undefined,
): Promise<EventSubscription[]> {
  return listSubscriptions(`Event Grid system topic '${topic.name}'`, await subscriptionsOf(context, topic, signal))
}

/** The names of the event subscriptions on the system topic that filter on the bucket's blobs (anyone's). */
async function bucketSubscribers(
  context: AzureContext,
  topic: FoundTopic,
  bucket: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const subscriptions = await listedSubscriptions(context, topic, signal)
  return subscriptions.filter((sub) => filtersOn(sub, bucket)).map((sub) => sub.name ?? '')
}

/** Whether an event subscription's subject filter is within the bucket's blobs. */
const filtersOn = (sub: EventSubscription, bucket: string) =>
  (sub.filter?.subjectBeginsWith ?? '').toLowerCase().startsWith(containerSubject(bucket).toLowerCase())

/** The names of the system topic's event subscriptions other than the function's own (the plan's view of afterLeaving's count, own one gone or not). */
async function otherSubscriptions(
  context: AzureContext,
  topic: FoundTopic,
  functionName: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const names = (await listedSubscriptions(context, topic, signal)).map((sub) => sub.name ?? '')
  return names.filter((name) => !isOwn(name, functionName))
}

/** How many event subscriptions the system topic has (at most two are counted: whether any is left). */
async function subscriptionCount(context: AzureContext, topic: FoundTopic, signal: AbortSignal | undefined): Promise<number> {
  return countSubscriptions(`Event Grid system topic '${topic.name}'`, await subscriptionsOf(context, topic, signal))
}

async function getContainer(
  context: AzureContext,
  bucket: string,
  signal: AbortSignal | undefined,
): Promise<BlobContainer | undefined> {
  const { storage } = await context.sdk.clients()
  return armFind('reading', `blob container '${bucket}'`, () =>
    storage.blobContainers.get(context.settings.resourceGroup, storageAccountName(context.scope), bucket, {
      abortSignal: signal,
    }),
  )
}

/** Metadata names compare without case (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata). */
function madeContainer(container: Pick<BlobContainer, 'metadata'> | undefined): boolean {
  const metadata = Object.fromEntries(
    Object.entries(container?.metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  )
  return metadata[BUCKET_METADATA.managed] === 'true' && metadata[BUCKET_METADATA.bucket] === 'true'
}

/**
 * Whether the container holds no blob: ARM cannot list blobs, so the Blob
 * service is asked (one List Blobs page of one), signed with the account's
 * key as the app's own AzureWebJobsStorage is (no data-plane role needed).
 */
async function containerEmpty(context: AzureContext, bucket: string, signal: AbortSignal | undefined): Promise<boolean> {
  const { storage } = await context.sdk.clients()
  const account = storageAccountName(context.scope)
  const keys = await armCall('listing the keys', `storage account '${account}'`, () =>
    storage.storageAccounts.listKeys(context.settings.resourceGroup, account, { abortSignal: signal }),
  )
  const key = keys.keys?.find((entry) => entry.value && entry.permissions?.toLowerCase() === 'full')?.value
  if (!key) throw new Error(`storage account '${account}' has no key with Full permissions`)
  const { ContainerClient, StorageSharedKeyCredential } = await import('@azure/storage-blob')
  const client = new ContainerClient(
    `https://${account}.blob.core.windows.net/${bucket}`,
    new StorageSharedKeyCredential(account, key),
    { retryOptions: { maxTries: 3 } },
  )
  const page = await armCall('listing the blobs of', `container '${bucket}'`, async () => {
    for await (const listed of client.listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 1 })) return listed
    return undefined
  })
  return (page?.segment.blobItems.length ?? 0) === 0
}

/**
 * Whether leaving the bucket deletes it: no other subscription filters on it,
 * cloudfn made it, and it is empty (reads only). Never when the system topic
 * could not be looked for (`refused`): its subscribers are unknown.
 */
async function leavingDeletesBucket(
  context: AzureContext,
  { topic, refused }: TopicSearch,
  functionName: string,
  bucket: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (refused) return false
  const others = topic ? (await bucketSubscribers(context, topic, bucket, signal)).filter((n) => !isOwn(n, functionName)) : []
  if (others.length > 0) return false
  if (!madeContainer(await getContainer(context, bucket, signal))) return false
  return containerEmpty(context, bucket, signal)
}

/** The system topic (made unless the account has one), the container (made unless it exists), then the subscriber's event subscription. */
async function joinStorage(
  context: AzureContext,
  app: string,
  functionName: string,
  trigger: StorageTrigger,
  signal: AbortSignal | undefined,
): Promise<void> {
  const client = await eventGridClient(context)
  const { resourceGroup, location } = context.settings
  const account = storageAccountName(context.scope)
  const search = await findSystemTopic(context, signal)
  let { topic } = search
  if (!topic) {
    topic = { name: systemTopicName(account), group: resourceGroup, made: true }
    const definition: SystemTopic = {
      location,
      source: storageAccountId(context),
      topicType: 'Microsoft.Storage.StorageAccounts',
      tags: { [TAGS.managed]: 'true', [SHARED_TOPIC_TAG]: 'true' },
    }
    // A PUT of the topic another first subscriber made meanwhile only rewrites the same tags.
    const { name } = topic
    await armCall('creating', `Event Grid system topic '${name}'`, () =>
      client.systemTopics.beginCreateOrUpdateAndWait(resourceGroup, name, definition, lro(context, signal)),
    ).catch((error: unknown) => {
      throw search.refused && isSecondSystemTopic(error) ? unseenTopicError(context, functionName, trigger.bucket, error) : error
    })
  }
  if (!(await getContainer(context, trigger.bucket, signal))) {
    const { storage } = await context.sdk.clients()
    const metadata = { [BUCKET_METADATA.managed]: 'true', [BUCKET_METADATA.bucket]: 'true' }
    try {
      await armCall('creating', `blob container '${trigger.bucket}'`, () =>
        storage.blobContainers.create(resourceGroup, account, trigger.bucket, { metadata }, { abortSignal: signal }),
      )
    } catch (error) {
      // Made meanwhile (by another first subscriber, or a user): used as it is.
      if (!ConflictError.isInstance(error)) throw error
    }
  }
  const { name, group } = topic
  await armCall('subscribing', `function '${functionName}' to the blob events of container '${trigger.bucket}'`, () =>
    client.systemTopicEventSubscriptions.beginCreateOrUpdateAndWait(
      group,
      name,
      eventSubscriptionName(functionName),
      subscriptionFor(context, app, functionName, trigger),
      lro(context, signal),
    ),
  )
}

/** After the subscription left `bucket`: the container if it goes (leavingDeletesBucket), then the system topic if it goes. */
async function afterLeaving(
  context: AzureContext,
  functionName: string,
  bucket: string,
  search: TopicSearch,
  keepTopic: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { resourceGroup } = context.settings
  const { topic } = search
  if (await leavingDeletesBucket(context, search, functionName, bucket, signal)) {
    const { storage } = await context.sdk.clients()
    // Not atomic (a blob written this very moment goes with it): ARM has no conditional delete of a container.
    await armFind('deleting', `blob container '${bucket}'`, () =>
      storage.blobContainers.delete(resourceGroup, storageAccountName(context.scope), bucket, { abortSignal: signal }),
    )
  }
  if (keepTopic || !topic?.made || (await subscriptionCount(context, topic, signal)) > 0) return
  const client = await eventGridClient(context)
  await armFind('deleting', `Event Grid system topic '${topic.name}'`, () =>
    client.systemTopics.beginDeleteAndWait(topic.group, topic.name, lro(context, signal)),
  )
}

/**
 * Takes the function off its bucket (remove, or a trigger that is no storage
 * one any more): its event subscription, then the container and the system
 * topic if it was the last one out of what cloudfn made. When the system
 * topic could not be looked for (a credential without read access on the
 * subscription), it warns and keeps the bucket: the removal still succeeds.
 */
export async function leaveStorage(
  context: AzureContext,
  functionName: string,
  trigger: StorageTrigger,
  signal: AbortSignal | undefined,
): Promise<void> {
  const search = await findSystemTopic(context, signal)
  const { topic } = search
  if (search.refused) warnRefused(context, functionName, trigger.bucket)
  if (topic) {
    const client = await eventGridClient(context)
    await armFind('unsubscribing', `function '${functionName}' from the blob events of container '${trigger.bucket}'`, () =>
      client.systemTopicEventSubscriptions.beginDeleteAndWait(
        topic.group,
        topic.name,
        eventSubscriptionName(functionName),
        lro(context, signal),
      ),
    )
  }
  await afterLeaving(context, functionName, trigger.bucket, search, false, signal)
}

/** For deploy (syncEventSources): the subscription follows the trigger; a bucket left behind goes if it was the last one out. */
export async function syncStorage(
  context: AzureContext,
  app: string,
  functionName: string,
  trigger: Trigger | undefined,
  previous: Trigger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const old = previous?.kind === 'storage' ? previous : undefined
  if (trigger?.kind !== 'storage') {
    if (old) await leaveStorage(context, functionName, old, signal)
    return
  }
  // The same event subscription, rewritten: it leaves the old bucket as it joins the new one.
  await joinStorage(context, app, functionName, trigger, signal)
  if (old && old.bucket !== trigger.bucket)
    await afterLeaving(context, functionName, old.bucket, await findSystemTopic(context, signal), true, signal)
}

/** What a plan of storage triggers reads (reads only), as syncStorage decides: src/plan.ts's facts, and the system topic's. */
export interface AzureStorageFacts extends StorageFacts {
  /** The account has a system topic: the deploy uses it instead of making it. */
  systemTopicExists: boolean
  /** Leaving storage triggers deletes the system topic: cloudfn made it and no event subscription but this subscriber's (if still there) is on it. */
  leftSystemTopicDeleted: boolean
  /** The system topic's name (found, or the one the deploy makes). */
  systemTopic: string
}

export async function readStorageFacts(
  context: AzureContext,
  functionName: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
  signal: AbortSignal | undefined,
): Promise<AzureStorageFacts> {
  const old = before?.kind === 'storage' ? before : undefined
  const now = after?.kind === 'storage' ? after : undefined
  const none = { bucketExists: false, leftBucketDeleted: false, systemTopicExists: false, leftSystemTopicDeleted: false }
  if (!old && !now) return { ...none, systemTopic: '' }
  const search = await findSystemTopic(context, signal)
  const { topic } = search
  const systemTopic = topic?.name ?? systemTopicName(storageAccountName(context.scope))
  const moved = old !== undefined && old.bucket !== now?.bucket
  return {
    systemTopic,
    systemTopicExists: topic !== undefined,
    bucketExists: now !== undefined && (await getContainer(context, now.bucket, signal)) !== undefined,
    leftBucketDeleted: moved && (await leavingDeletesBucket(context, search, functionName, old.bucket, signal)),
    // afterLeaving counts what is left once the subscriber's own is deleted: the others, whether its own is still
    // there or went outside cloudfn (counting all and allowing one would plan a delete the deploy does not make).
    leftSystemTopicDeleted:
      old !== undefined &&
      now === undefined &&
      topic?.made === true &&
      (await otherSubscriptions(context, topic, functionName, signal)).length === 0,
  }
}

/** The system topic's own changes around src/plan.ts's storage ones: made before the bucket and link, deleted after. */
export function withSystemTopic(changes: PlanChange[], facts: AzureStorageFacts, after: Trigger | undefined): PlanChange[] {
  const resource = `topic:${facts.systemTopic}`
  const out = [...changes]
  if (after?.kind === 'storage' && !facts.systemTopicExists) {
    const first = out.findIndex((change) => change.kind === 'create-bucket' || change.kind === 'update-storage-link')
    const made: PlanChange = {
      kind: 'create-topic',
      resource,
      detail: "Event Grid system topic of cloudfn's storage account, made by its first storage subscriber",
    }
    out.splice(first === -1 ? out.length : first, 0, made)
    // An unchanged trigger whose topic went (deleted outside cloudfn, its event subscriptions with it): the deploy
    // makes the subscription again on the new topic.
    const bucket = `bucket:${after.bucket}`
    if (!out.some((change) => change.kind === 'update-storage-link' && change.resource === bucket))
      out.push({ kind: 'update-storage-link', resource: bucket, detail: 'subscribed again on the new system topic' })
  }
  if (facts.leftSystemTopicDeleted) out.push({ kind: 'delete-topic', resource, detail: 'its last storage subscriber leaves' })
  return out
}

/**
 * For gc: what storage subscribers that went another way left (an app deleted
 * outside cloudfn, a remove that stopped half-way): their event subscriptions
 * on the system topic, the system topic cloudfn made once none is left, and
 * buckets cloudfn made that no event subscription filters on any more and
 * that hold no blob. ARM gives none of them a change time: they go only with
 * `olderThanMs: 0`. Without `@azure/arm-eventgrid`, or when the system topic
 * could not be looked for (findSystemTopic's `refused`), no subscription can
 * be read, so no bucket is taken for unused.
 */
export async function storageLeftovers(
  context: AzureContext,
  containers: readonly string[],
  appStays: (app: string) => boolean,
  signal: AbortSignal | undefined,
): Promise<GcCandidate[]> {
  const client = await eventGridClient(context).catch(() => undefined)
  if (!client) return []
  const { resourceGroup } = context.settings
  const { topic, refused } = await findSystemTopic(context, signal)
  const candidates: GcCandidate[] = []
  let staying: EventSubscription[] = []
  if (topic) {
    const { name, group } = topic
    const left = await topicLeftoversOf(
      { resource: `topic:${name}`, made: topic.made },
      await subscriptionsOf(context, topic, signal),
      appStays,
      (sub) => client.systemTopicEventSubscriptions.beginDeleteAndWait(group, name, sub, lro(context, signal)),
      () => client.systemTopics.beginDeleteAndWait(group, name, lro(context, signal)),
    )
    candidates.push(...left.candidates)
    staying = left.staying
  }
  // A system topic that could not be looked for may hold subscribers of any bucket: none is taken for unused.
  if (refused) return candidates
  const subscribed = (bucket: string) => staying.some((sub) => filtersOn(sub, bucket))
  for (const bucket of containers) {
    if (isAccountContainer(bucket) || subscribed(bucket)) continue
    // Read one by one: ARM's container list may not carry metadata (Azure/azure-sdk-for-net#17717); Get does.
    if (!madeContainer(await getContainer(context, bucket, signal))) continue
    candidates.push({
      resource: `bucket:${bucket}`,
      changedAt: undefined,
      unused: await containerEmpty(context, bucket, signal),
      remove: () =>
        armFind('deleting', `blob container '${bucket}'`, async () => {
          const { storage } = await context.sdk.clients()
          return storage.blobContainers.delete(resourceGroup, storageAccountName(context.scope), bucket, { abortSignal: signal })
        }),
    })
  }
  return candidates
}
