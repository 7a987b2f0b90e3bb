/**
 * A storage() trigger on Cloud Storage and Eventarc.
 *
 * - The bucket: used if it exists, else made by the first subscriber's
 *   deploy in the function's region, labelled `cloudfn-managed` and
 *   `cloudfn-bucket` (no function label: it belongs to every subscriber).
 *   The last subscriber out deletes it only if cloudfn made it and it holds
 *   no objects; a bucket cloudfn did not make is never deleted.
 * - Events: Cloud Functions gives a function one event trigger of one event
 *   type (`google.cloud.storage.object.v1.finalized` for `created`, `.deleted`
 *   for `deleted`) with the event filter `bucket`. With both events, the
 *   second type is a standalone Eventarc trigger (eventarc.googleapis.com)
 *   on the function's Cloud Run service, made and removed by cloudfn.
 *   Eventarc requires a Cloud Storage trigger in the bucket's location.
 * - Filters: Eventarc cannot filter Cloud Storage events by object name, so
 *   prefix and suffix are applied in the shim (storage-event.ts).
 * - Cloud Storage publishes the events as the project's Cloud Storage service
 *   agent, which needs roles/pubsub.publisher on the project
 *   (https://cloud.google.com/eventarc/docs/run/create-trigger-storage-gcloud,
 *   "Before you begin"). That is a one-time project grant cloudfn does not
 *   make: it would widen a project-level policy on every deploy.
 */
import { createHash } from 'node:crypto'
import { ProviderError } from '../../../src/errors/provider-error.ts'
import type { GcCandidate } from '../../../src/gc.ts'
import type { FunctionRecord } from '../../../src/provider.ts'
import { abortableSleep } from '../../../src/retry.ts'
import type { StorageTrigger, Trigger } from '../../../src/triggers/types.ts'
import { fail } from '../../../src/validation.ts'
import { type ControlPlane, listManaged } from '../control-plane.ts'
import { MANAGED_LABEL } from '../labels.ts'
import { toRecord } from '../record.ts'
import type { GcpFunction } from '../sdk.ts'
import { FUNCTION_LABEL } from './pubsub.ts'
import { STORAGE_EVENT_TYPES } from './storage-event.ts'

const GCS = 'https://storage.googleapis.com/storage/v1'
const EVENTARC = 'https://eventarc.googleapis.com/v1'
export const BUCKET_LABEL = 'cloudfn-bucket'
/** google.cloud.functions.v2.EventTrigger.RetryPolicy.RETRY_POLICY_RETRY: a failed delivery comes again. */
const RETRY_POLICY_RETRY = 2

interface Bucket {
  name: string
  location?: string
  labels?: Record<string, string>
}

const bucketMeta = (bucket: string) => ({ url: `${GCS}/b/${encodeURIComponent(bucket)}`, resource: bucket, kind: 'Bucket' })

const getBucket = (plane: ControlPlane, bucket: string) =>
  plane.rest.call<Bucket>({ method: 'GET', operation: 'get bucket', absentOk: true, ...bucketMeta(bucket) })

/** Whether the bucket exists (the plan asks: a subscriber's deploy makes it only when it does not). */
export async function bucketExists(plane: ControlPlane, bucket: string): Promise<boolean> {
  return (await getBucket(plane, bucket)) !== undefined
}

/** The bucket's location as Eventarc names trigger locations (`US` → `us`, `EUROPE-WEST1` → `europe-west1`). */
const triggerLocation = (bucket: Bucket) => (bucket.location ?? 'US').toLowerCase()

/**
 * The bucket, made if missing; answers its location, where the Eventarc
 * trigger must be. Made in the function's region, so the trigger is too.
 */
export async function ensureBucket(plane: ControlPlane, trigger: StorageTrigger, beforeChange: () => void): Promise<string> {
  const found = await getBucket(plane, trigger.bucket)
  if (found) return triggerLocation(found)
  beforeChange()
  try {
    const created = await plane.rest.call<Bucket>({
      method: 'POST',
      url: `${GCS}/b?project=${encodeURIComponent(plane.location.project)}`,
      body: {
        name: trigger.bucket,
        location: plane.location.region.toUpperCase(),
        labels: { [MANAGED_LABEL]: 'true', [BUCKET_LABEL]: 'true' },
      },
      operation: 'create bucket',
      resource: trigger.bucket,
      kind: 'Bucket',
    })
    return triggerLocation(created)
  } catch (error) {
    // Another subscriber's deploy made it first: what we wanted.
    if ((error as { code?: string }).code !== 'Conflict') throw error
    const raced = await getBucket(plane, trigger.bucket)
    if (!raced) throw error
    return triggerLocation(raced)
  }
}

/** The event type of the function's own trigger: the first of its events. */
const ownEvent = (trigger: StorageTrigger) => trigger.events[0] ?? 'created'

/** The function's own event trigger (Cloud Functions v2 `eventTrigger`) for a storage() trigger. */
export function storageEventTrigger(
  trigger: StorageTrigger,
  location: string,
  serviceAccountEmail: string | undefined,
): NonNullable<GcpFunction['eventTrigger']> {
  return {
    eventType: STORAGE_EVENT_TYPES[ownEvent(trigger)],
    eventFilters: [{ attribute: 'bucket', value: trigger.bucket }],
    retryPolicy: RETRY_POLICY_RETRY,
    triggerRegion: location,
    ...(serviceAccountEmail ? { serviceAccountEmail } : {}),
  }
}

/** The standalone Eventarc trigger for the second event type; its ID fits Eventarc's 63 characters. */
export function extraTriggerId(name: string): string {
  const id = `${name}-deleted`
  if (id.length <= 63) return id
  return `${name.slice(0, 46)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}-deleted`
}

interface EventarcTrigger {
  name: string
  eventFilters?: Array<{ attribute: string; value: string }>
  destination?: { cloudRun?: { service?: string; region?: string } }
  serviceAccount?: string
  labels?: Record<string, string>
}

interface Operation {
  name: string
  done?: boolean
  error?: { code?: number; message?: string }
}

const triggerMeta = (plane: ControlPlane, location: string, id: string) => ({
  url: `${EVENTARC}/projects/${plane.location.project}/locations/${location}/triggers/${id}`,
  resource: id,
  kind: 'Eventarc trigger',
})

/** Waits for an Eventarc long-running operation. */
async function settle(plane: ControlPlane, started: Operation, what: string): Promise<void> {
  let operation = started
  for (let waited = 0; !operation.done; waited += plane.pollIntervalMs) {
    if (waited > 10 * 60_000) throw new ProviderError({ provider: 'gcp', isRetryable: true, message: `${what} did not finish` })
    await abortableSleep(plane.pollIntervalMs)
    operation = await plane.rest.call<Operation>({
      method: 'GET',
      url: `${EVENTARC}/${operation.name}`,
      operation: 'get operation',
      resource: operation.name,
      kind: 'Operation',
    })
  }
  if (operation.error) {
    throw new ProviderError({ provider: 'gcp', isRetryable: false, message: `${what} failed: ${operation.error.message ?? ''}` })
  }
}

async function deleteExtraTrigger(plane: ControlPlane, location: string, name: string, beforeChange: () => void) {
  const meta = triggerMeta(plane, location, extraTriggerId(name))
  const found = await plane.rest.call<EventarcTrigger>({ method: 'GET', operation: 'get trigger', absentOk: true, ...meta })
  if (!found) return
  beforeChange()
  const operation = await plane.rest.call<Operation>({ method: 'DELETE', operation: 'delete trigger', absentOk: true, ...meta })
  if (operation) await settle(plane, operation, `Deleting Eventarc trigger '${meta.resource}'`)
}

/**
 * After the function is ACTIVE: the bucket, and the standalone Eventarc
 * trigger for the second event type when the trigger asks for both (made,
 * replaced when it differs, deleted when no longer asked for).
 */
export async function syncStorage(
  plane: ControlPlane,
  fn: GcpFunction,
  name: string,
  trigger: StorageTrigger,
  beforeChange: () => void,
): Promise<void> {
  const location = await ensureBucket(plane, trigger, beforeChange)
  const second = trigger.events[1]
  if (!second) return deleteExtraTrigger(plane, location, name, beforeChange)
  const meta = triggerMeta(plane, location, extraTriggerId(name))
  const serviceAccount = fn.eventTrigger?.serviceAccountEmail ?? fn.serviceConfig?.serviceAccountEmail ?? undefined
  const wanted = {
    eventFilters: [
      { attribute: 'type', value: STORAGE_EVENT_TYPES[second] },
      { attribute: 'bucket', value: trigger.bucket },
    ],
    destination: { cloudRun: { service: name, region: plane.location.region } },
    ...(serviceAccount ? { serviceAccount } : {}),
    labels: { [MANAGED_LABEL]: 'true', [FUNCTION_LABEL]: name },
  }
  const found = await plane.rest.call<EventarcTrigger>({ method: 'GET', operation: 'get trigger', absentOk: true, ...meta })
  const same =
    found &&
    JSON.stringify([...(found.eventFilters ?? [])].sort((a, b) => a.attribute.localeCompare(b.attribute))) ===
      JSON.stringify([...wanted.eventFilters].sort((a, b) => a.attribute.localeCompare(b.attribute))) &&
    found.destination?.cloudRun?.service === name &&
    found.serviceAccount === serviceAccount
  if (same) return
  beforeChange()
  if (found) await deleteExtraTrigger(plane, location, name, () => {})
  const operation = await plane.rest.call<Operation>({
    method: 'POST',
    url: `${EVENTARC}/projects/${plane.location.project}/locations/${location}/triggers?triggerId=${meta.resource}`,
    body: wanted,
    operation: 'create trigger',
    resource: meta.resource,
    kind: 'Eventarc trigger',
  })
  await settle(plane, operation, `Creating Eventarc trigger '${meta.resource}'`)
}

/**
 * After a subscriber leaves `previous` (removed, or moved to another bucket
 * or trigger): its standalone Eventarc trigger goes, and the bucket goes if
 * no other cloudfn function subscribes to it, cloudfn made it and it is empty.
 */
export async function releaseStorage(
  plane: ControlPlane,
  previous: StorageTrigger,
  trigger: Trigger | undefined,
  name: string,
  beforeChange: () => void,
): Promise<void> {
  const bucket = await getBucket(plane, previous.bucket)
  const movedOrSingle = trigger?.kind !== 'storage' || trigger.bucket !== previous.bucket || trigger.events.length < 2
  if (bucket && previous.events.length > 1 && movedOrSingle) {
    await deleteExtraTrigger(plane, triggerLocation(bucket), name, beforeChange)
  }
  if (trigger?.kind === 'storage' && trigger.bucket === previous.bucket) return
  if (!bucket || !(await leavingDeletesBucket(plane, previous.bucket, name))) return
  beforeChange()
  try {
    await plane.rest.call({ method: 'DELETE', operation: 'delete bucket', absentOk: true, ...bucketMeta(previous.bucket) })
  } catch (error) {
    // An object arrived since the check: the bucket is kept, as one that holds objects always is.
    if ((error as { code?: string }).code !== 'Conflict') throw error
  }
}

/**
 * Whether `name` leaving `bucket` deletes it (reads only; the plan asks too):
 * no other cloudfn function subscribes to it, cloudfn made it, and it holds no objects.
 */
export async function leavingDeletesBucket(plane: ControlPlane, bucket: string, name: string): Promise<boolean> {
  const others = (await listManaged(plane))
    .map(toRecord)
    .filter((record) => record.name !== name && record.trigger?.kind === 'storage' && record.trigger.bucket === bucket)
  if (others.length > 0) return false
  const found = await getBucket(plane, bucket)
  if (found?.labels?.[MANAGED_LABEL] !== 'true' || found.labels[BUCKET_LABEL] !== 'true') return false
  const objects = await plane.rest.call<{ items?: unknown[] }>({
    method: 'GET',
    url: `${bucketMeta(bucket).url}/o?maxResults=1`,
    operation: 'list objects',
    resource: bucket,
    kind: 'Bucket',
  })
  return (objects.items ?? []).length === 0
}

/**
 * What storage() accepts but Cloud Storage refuses: names starting with
 * `goog` or holding `google` or a look-alike (https://cloud.google.com/storage/docs/buckets#naming).
 * The other rules are storage()'s own, stricter ones.
 */
export function checkBucketOnGcp(trigger: Trigger | undefined): void {
  if (trigger?.kind !== 'storage') return
  if (trigger.bucket.startsWith('goog') || /g[o0][o0]gle/.test(trigger.bucket)) {
    fail(
      'trigger.bucket',
      `'${trigger.bucket}' is refused by Cloud Storage: bucket names cannot start with "goog" or contain "google" or a close misspelling`,
    )
  }
}

/**
 * For gc: what a crashed removal (or two last subscribers leaving at once)
 * left. Buckets cloudfn made that no cloudfn function reads, when empty
 * (one holding objects is never collected); and `<function>-deleted`
 * Eventarc triggers whose function no longer asks for a second event type.
 */
export async function storageLeftovers(plane: ControlPlane, records: readonly FunctionRecord[]): Promise<GcCandidate[]> {
  const reading = new Set(records.flatMap((record) => (record.trigger?.kind === 'storage' ? [record.trigger.bucket] : [])))
  const candidates: GcCandidate[] = []
  const buckets = await plane.rest.call<{ items?: Array<Bucket & { updated?: string }> }>({
    method: 'GET',
    url: `${GCS}/b?project=${encodeURIComponent(plane.location.project)}&maxResults=1000`,
    operation: 'list buckets',
    resource: plane.location.project,
    kind: 'Project',
  })
  for (const bucket of buckets.items ?? []) {
    if (bucket.labels?.[MANAGED_LABEL] !== 'true' || bucket.labels[BUCKET_LABEL] !== 'true' || reading.has(bucket.name)) continue
    const objects = await plane.rest.call<{ items?: unknown[] }>({
      method: 'GET',
      url: `${bucketMeta(bucket.name).url}/o?maxResults=1`,
      operation: 'list objects',
      resource: bucket.name,
      kind: 'Bucket',
    })
    candidates.push({
      resource: `bucket:${bucket.name}`,
      changedAt: bucket.updated,
      unused: (objects.items ?? []).length === 0,
      remove: async () => {
        try {
          await plane.rest.call({ method: 'DELETE', operation: 'delete bucket', absentOk: true, ...bucketMeta(bucket.name) })
        } catch (error) {
          // An object arrived since: kept.
          if ((error as { code?: string }).code !== 'Conflict') throw error
        }
      },
    })
  }
  const wanted = new Set(
    records.flatMap((record) =>
      record.trigger?.kind === 'storage' && record.trigger.events.length > 1 ? [extraTriggerId(record.name)] : [],
    ),
  )
  const triggers = await plane.rest.call<{ triggers?: Array<EventarcTrigger & { updateTime?: string }> }>({
    method: 'GET',
    url: `${EVENTARC}/projects/${plane.location.project}/locations/-/triggers?pageSize=1000`,
    operation: 'list triggers',
    resource: plane.location.project,
    kind: 'Project',
  })
  for (const trigger of triggers.triggers ?? []) {
    const id = trigger.name.split('/').pop() ?? ''
    if (trigger.labels?.[MANAGED_LABEL] !== 'true' || !trigger.labels[FUNCTION_LABEL] || wanted.has(id)) continue
    candidates.push({
      resource: `trigger:${id}`,
      changedAt: trigger.updateTime,
      unused: true,
      remove: async () => {
        const operation = await plane.rest.call<Operation>({
          method: 'DELETE',
          url: `${EVENTARC}/${trigger.name}`,
          operation: 'delete trigger',
          resource: id,
          kind: 'Eventarc trigger',
          absentOk: true,
        })
        if (operation) await settle(plane, operation, `Deleting Eventarc trigger '${id}'`)
      },
    })
  }
  return candidates
}
