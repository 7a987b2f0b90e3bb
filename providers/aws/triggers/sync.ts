import { queueNames } from '../../../src/triggers/queue.ts'
import { topicNames } from '../../../src/triggers/topic.ts'
import type { Trigger } from '../../../src/triggers/types.ts'
import type { AwsContext } from '../context.ts'
import type { CloudfnDescription } from '../record.ts'
import { readUrl, syncUrl, type UrlAuth } from '../url.ts'
import { deleteMappings, deleteQueues, hasMapping, type QueueTarget, syncQueue } from './queue.ts'
import { deleteSchedule, hasSchedule, putSchedule } from './schedule.ts'
import { hasNotification, leaveStorage, sameBucket, syncStorage } from './storage.ts'
import { hasSubscription, leaveTopic, sameTopic, syncTopic } from './topic.ts'

/** The function a trigger starts. */
export type TriggerTarget = QueueTarget

const URL_AUTH: Record<'public' | 'iam', UrlAuth> = { public: 'NONE', iam: 'AWS_IAM' }

function urlAuthOf(trigger: Trigger | undefined): UrlAuth | undefined {
  if (trigger?.kind !== 'http' || trigger.auth === 'key') return undefined
  return URL_AUTH[trigger.auth]
}

function sameQueues(a: Trigger | undefined, b: Trigger | undefined, functionName: string): boolean {
  if (a?.kind !== 'queue' || b?.kind !== 'queue') return false
  const [x, y] = [queueNames(a, functionName), queueNames(b, functionName)]
  return x.queue === y.queue && x.deadLetter === y.deadLetter
}

/** The SQS queues `trigger` goes on using: a retired trigger's queues of those names stay, with their messages. */
function queuesKept(trigger: Trigger | undefined, name: string): Set<string> {
  if (trigger?.kind === 'queue') return new Set(Object.values(queueNames(trigger, name)))
  return new Set(trigger?.kind === 'topic' ? [topicNames(trigger, name).deadLetter] : [])
}

/**
 * Removes what `previous` (the trigger the function's description says was
 * deployed) made and `trigger` no longer uses. Runs before the description
 * changes, so a deploy that stops half-way leaves nothing unrecorded.
 */
export async function retireTrigger(
  context: AwsContext,
  name: string,
  previous: CloudfnDescription,
  trigger: Trigger | undefined,
): Promise<void> {
  const before = previous.trigger
  if (before?.kind === 'schedule' && trigger?.kind !== 'schedule') await deleteSchedule(context, name)
  if (before?.kind === 'queue' && !sameQueues(before, trigger, name)) {
    await deleteMappings(context, name)
    // A queue the new trigger still names (say, the same dead-letter queue) stays, with its messages.
    await deleteQueues(context, name, before, queuesKept(trigger, name))
  }
  if (before?.kind === 'topic' && !sameTopic(before, trigger, name)) {
    // A dead-letter queue the new trigger still names stays, with its messages.
    await leaveTopic(context, name, before, queuesKept(trigger, name))
  }
  // On the same bucket syncStorage replaces the function's entry; the bucket stays.
  if (before?.kind === 'storage' && !sameBucket(before, trigger)) await leaveStorage(context, name, before)
  if ((before?.kind === 'http' || previous.legacyUrl) && trigger?.kind !== 'http') await syncUrl(context, name, undefined)
}

/** Creates or updates the trigger's resources; resolves with the function URL of an HTTP function. */
export async function syncTrigger(
  context: AwsContext,
  target: TriggerTarget,
  trigger: Trigger | undefined,
): Promise<string | undefined> {
  const auth = urlAuthOf(trigger)
  const url = auth ? await syncUrl(context, target.name, auth) : undefined
  if (trigger?.kind === 'schedule') await putSchedule(context, target.name, target.arn, trigger)
  if (trigger?.kind === 'queue') await syncQueue(context, target, trigger)
  if (trigger?.kind === 'topic') await syncTopic(context, target, trigger)
  if (trigger?.kind === 'storage') await syncStorage(context, target, trigger)
  return url
}

/**
 * For an unchanged deploy: whether the trigger's resources are there (a
 * deploy that stopped after creating the function has none), with one read.
 */
export async function triggerInPlace(
  context: AwsContext,
  name: string,
  trigger: Trigger | undefined,
): Promise<{ ready: boolean; url?: string | undefined }> {
  switch (trigger?.kind) {
    case 'http': {
      const url = await readUrl(context, name)
      return { ready: url !== undefined, url }
    }
    case 'schedule':
      return { ready: await hasSchedule(context, name) }
    case 'queue':
      return { ready: await hasMapping(context, name) }
    case 'topic':
      return { ready: await hasSubscription(context, name, trigger) }
    case 'storage':
      return { ready: await hasNotification(context, name, trigger) }
    default:
      return { ready: true }
  }
}

/** Before the function goes: what starts it, then its queues. Its URL goes with it. */
export async function removeTrigger(context: AwsContext, name: string, trigger: Trigger | undefined): Promise<void> {
  if (trigger?.kind === 'schedule') await deleteSchedule(context, name)
  if (trigger?.kind === 'queue') {
    await deleteMappings(context, name)
    await deleteQueues(context, name, trigger)
  }
  if (trigger?.kind === 'topic') await leaveTopic(context, name, trigger)
  if (trigger?.kind === 'storage') await leaveStorage(context, name, trigger)
}
