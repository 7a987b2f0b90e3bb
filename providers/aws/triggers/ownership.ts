/**
 * The queue-ownership rule (src/triggers/ownership.ts) on SQS: the marker is
 * two tags, `cloudfn:managed=true` and `cloudfn:function=<name>`, set by
 * CreateQueue and read with ListQueueTags (queue.ts holds that I/O).
 */
import { claimQueues } from '../../../src/triggers/ownership.ts'
import type { Trigger } from '../../../src/triggers/types.ts'
import type { AwsContext } from '../context.ts'
import { sqsClaims, sqsOwnership } from './queue.ts'
import { checkStorageConfig } from './storage.ts'
import { checkTopicOwnership } from './topic.ts'

/**
 * Refuses, before the deploy changes anything, a queue or dead-letter queue
 * cloudfn did not make for this function (ConflictError naming it); the
 * function's own queues are adopted as they are.
 */
export async function checkQueueOwnership(
  context: AwsContext,
  functionName: string,
  trigger: Trigger | undefined,
): Promise<void> {
  if (trigger?.kind === 'topic') await checkTopicOwnership(context, functionName, trigger)
  // Not ownership, but the same moment: S3 would refuse an overlapping notification after the function exists.
  if (trigger?.kind === 'storage') await checkStorageConfig(context, functionName, trigger)
  if (trigger?.kind !== 'queue') return
  await claimQueues(sqsOwnership(context), sqsClaims(trigger, functionName), functionName, 'aws')
}
