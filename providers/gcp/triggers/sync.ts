/**
 * Brings a deployed function's trigger resources in line with its trigger,
 * and takes away those of the trigger it had before. Every step reads first
 * and writes only what differs, so a rerun after a crash repairs and an
 * unchanged redeploy writes nothing.
 */
import { ProviderError } from '../../../src/errors/provider-error.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { QueueTrigger, Trigger } from '../../../src/triggers/types.ts'
import type { ControlPlane } from '../control-plane.ts'
import type { GcpFunction } from '../sdk.ts'
import { grantDeadLetterForwarding } from './dead-letter-grants.ts'
import { ALL_USERS, updateInvokers } from './invokers.ts'
import { PubSub, topicName } from './pubsub.ts'
import { releasePubsub } from './queue-owner.ts'
import { deleteJob, ensureJob, jobName } from './scheduler.ts'
import { releaseStorage, syncStorage } from './storage.ts'
import { ensureTopicResources, pubsubNames, releaseTopic, topicDeliveryAttempts } from './topic.ts'

export const isPublicHttp = (trigger: Trigger | undefined) => trigger?.kind === 'http' && trigger.auth === 'public'

/** Service accounts the platform signs its calls with: Scheduler's OIDC token, Eventarc's push. */
export function platformCallers(fn: GcpFunction, trigger: Trigger | undefined): string[] {
  if (trigger?.kind !== 'schedule' && trigger?.kind !== 'queue' && trigger?.kind !== 'topic' && trigger?.kind !== 'storage')
    return []
  const emails = [
    fn.serviceConfig?.serviceAccountEmail,
    trigger.kind !== 'schedule' ? fn.eventTrigger?.serviceAccountEmail : undefined,
  ]
  return [...new Set(emails.filter((email): email is string => !!email))].map((email) => `serviceAccount:${email}`)
}

/** Topics a queue trigger needs before the function's Eventarc trigger can point at them. */
export async function ensureTopics(plane: ControlPlane, trigger: QueueTrigger, name: string, beforeChange: () => void) {
  const pubsub = new PubSub(plane.rest, plane.location)
  const names = queueNames(trigger, name)
  await pubsub.ensureTopic(names.queue, name, beforeChange)
  await pubsub.ensureTopic(names.deadLetter, name, beforeChange)
  await pubsub.ensureKeeper(names.deadLetter, name, beforeChange)
}

export async function syncTrigger(
  plane: ControlPlane,
  fn: GcpFunction,
  name: string,
  trigger: Trigger | undefined,
  previous: Trigger | undefined,
  beforeChange: () => void,
): Promise<void> {
  const service = fn.serviceConfig?.service
  const grant = [...(isPublicHttp(trigger) ? [ALL_USERS] : []), ...platformCallers(fn, trigger)]
  const revoke = isPublicHttp(trigger) ? [] : [ALL_USERS]
  if (service && (grant.length > 0 || isPublicHttp(previous) || trigger?.kind === 'http')) {
    await updateInvokers(plane.rest, service, { grant, revoke }, beforeChange)
  }
  if (trigger?.kind === 'schedule') await ensureJob(plane, fn, trigger, name, beforeChange)
  else if (previous?.kind === 'schedule') {
    beforeChange()
    await deleteJob(plane, jobName(plane, name))
  }
  if (trigger?.kind === 'queue') await ensureTopics(plane, trigger, name, beforeChange)
  if (trigger?.kind === 'topic') await ensureTopicResources(plane, trigger, name, beforeChange)
  const names = pubsubNames(trigger, name)
  if (trigger?.kind === 'queue' || trigger?.kind === 'topic') {
    const attempts = trigger.kind === 'queue' ? trigger.maxRetries + 1 : topicDeliveryAttempts(trigger)
    await ensureDeadLetters(plane, fn, names as { topic: string; deadLetter: string }, attempts, name, beforeChange)
  }
  if (previous?.kind === 'queue') await dropOldTopics(plane, previous, trigger, name, beforeChange)
  if (previous?.kind === 'topic') await releaseTopic(plane, previous, trigger, name, beforeChange)
  if (trigger?.kind === 'storage') await syncStorage(plane, fn, name, trigger, beforeChange)
  if (previous?.kind === 'storage') await releaseStorage(plane, previous, trigger, name, beforeChange)
}

async function ensureDeadLetters(
  plane: ControlPlane,
  fn: GcpFunction,
  names: { topic: string; deadLetter: string },
  maxDeliveryAttempts: number,
  name: string,
  beforeChange: () => void,
) {
  const pubsub = new PubSub(plane.rest, plane.location)
  const subscription = await pubsub.triggerSubscription(names.topic, fn.serviceConfig?.uri ?? '')
  if (!subscription) {
    // Eventarc makes it while deploying; not there yet means the deploy has not settled.
    throw new ProviderError({
      provider: 'gcp',
      isRetryable: true,
      message: `The Eventarc subscription of '${name}' on topic '${names.topic}' was not found`,
    })
  }
  // Granted first, so the policy never takes effect while Pub/Sub may not act on it.
  await grantDeadLetterForwarding(plane, subscription.name, topicName(plane.location, names.deadLetter), beforeChange)
  await pubsub.setDeadLetterPolicy(subscription, names.deadLetter, maxDeliveryAttempts, beforeChange)
}

/** After a queue change, the topics and keeper the function no longer uses (if cloudfn made them for it). */
async function dropOldTopics(
  plane: ControlPlane,
  previous: QueueTrigger,
  trigger: Trigger | undefined,
  name: string,
  beforeChange: () => void,
) {
  // The new trigger may be a topic() whose dead-letter topic has the queue's old name (`<function>-dead-letter`).
  const now = pubsubNames(trigger, name)
  await releasePubsub(plane, previous, name, new Set(now ? [now.topic, now.deadLetter] : []), beforeChange)
}

/** Deletes what the trigger made (the function's own deletion takes its Eventarc trigger and subscription). */
export async function removeTriggerResources(plane: ControlPlane, name: string, trigger: Trigger | undefined): Promise<void> {
  if (trigger?.kind === 'schedule') await deleteJob(plane, jobName(plane, name))
  if (trigger?.kind === 'queue') await dropOldTopics(plane, trigger, undefined, name, () => {})
  if (trigger?.kind === 'topic') await releaseTopic(plane, trigger, undefined, name, () => {})
  if (trigger?.kind === 'storage') await releaseStorage(plane, trigger, undefined, name, () => {})
}
