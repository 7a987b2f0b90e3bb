/**
 * gc on GCP. A cloudfn function is one labelled resource (`cloudfn-managed`):
 * Cloud Functions owns its build, image, Cloud Run service and Eventarc
 * trigger and deletes them with it. Its trigger's own resources are
 * removed with it too; those a crashed remove or a changed trigger left
 * behind are collected here: Scheduler jobs named `cloudfn-<function>`, and
 * Pub/Sub topics and subscriptions labelled with the function they served,
 * once that function is gone or no longer uses them; storage()'s buckets
 * (empty, made by cloudfn, read by no function) and `<function>-deleted`
 * Eventarc triggers. Pub/Sub keeps no change time, so its leftovers go only
 * with `olderThanMs: 0`.
 */
import { collect, functionCandidate, type GcCandidate } from '../../src/gc.ts'
import type { GcOptions, GcResult } from '../../src/provider.ts'
import { throwIfAborted } from '../../src/retry.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { type ControlPlane, listManaged } from './control-plane.ts'
import { toRecord } from './record.ts'
import type { SchedulerJob } from './sdk.ts'
import { PubSub } from './triggers/pubsub.ts'
import { deleteJob, JOB_PREFIX, listCloudfnJobs } from './triggers/scheduler.ts'
import { storageLeftovers } from './triggers/storage.ts'
import { pubsubNames, sharedTopicLeftovers } from './triggers/topic.ts'

function isoOf(time: SchedulerJob['userUpdateTime'] | string): string | undefined {
  if (typeof time === 'string') return time
  return time?.seconds === undefined || time.seconds === null ? undefined : new Date(Number(time.seconds) * 1000).toISOString()
}

/** Names of the topics (and keeper subscription) a queue or topic trigger uses. */
function queueResources(trigger: Trigger | undefined, name: string): Set<string> {
  const names = pubsubNames(trigger, name)
  return new Set(names ? [names.topic, names.deadLetter] : [])
}

export async function collectGarbage(
  plane: ControlPlane,
  options: GcOptions,
  remove: (name: string) => Promise<unknown>,
  signal?: AbortSignal,
): Promise<GcResult> {
  const records = (await listManaged(plane)).map(toRecord)
  const triggers = new Map(records.map((record) => [record.name, record.trigger]))
  const candidates: GcCandidate[] = records.map((record) => functionCandidate(record, remove))
  for (const job of await listCloudfnJobs(plane)) {
    const owner = (job.name ?? '').split('/').pop()?.slice(JOB_PREFIX.length) ?? ''
    if (triggers.get(owner)?.kind === 'schedule') continue
    candidates.push({
      resource: `job:${job.name?.split('/').pop()}`,
      changedAt: isoOf(job.userUpdateTime),
      unused: true,
      remove: () => deleteJob(plane, job.name ?? ''),
    })
  }
  const pubsub = new PubSub(plane.rest, plane.location)
  // Subscriptions before topics, so nothing is left attached to a deleted topic.
  for (const kind of ['subscriptions', 'topics'] as const) {
    for (const { name, functionName } of await pubsub.listOwned(kind)) {
      if (triggers.has(functionName) && queueResources(triggers.get(functionName), functionName).has(name)) continue
      candidates.push({
        resource: `${kind === 'topics' ? 'topic' : 'subscription'}:${name}`,
        changedAt: undefined,
        unused: true,
        remove: () => pubsub.deleteOwned(kind, name, functionName),
      })
    }
  }
  // Shared topics go after the functions, whose own removal deletes the ones they were last on.
  candidates.push(...(await sharedTopicLeftovers(plane, records)))
  // So do cloudfn's buckets (when empty) and `<function>-deleted` Eventarc triggers (triggers/storage.ts).
  candidates.push(...(await storageLeftovers(plane, records)))
  // Each removal first checks the signal: nothing more is deleted once the caller has aborted.
  const checked = candidates.map((candidate) => ({
    ...candidate,
    remove: () => {
      throwIfAborted(signal)
      return candidate.remove()
    },
  }))
  return collect(checked, options)
}
