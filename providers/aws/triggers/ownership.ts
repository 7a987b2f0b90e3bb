import { ConflictError } from '../../../src/errors/conflict.ts'
import { NotFoundError } from '../../../src/errors/not-found.ts'
import { queueNames } from '../../../src/triggers/queue.ts'
import type { Trigger } from '../../../src/triggers/types.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { MANAGED_TAG } from '../role-policies.ts'
import { FUNCTION_TAG, queueUrl } from './queue.ts'

/** Whose the queue is by its tags: undefined when it does not exist. */
async function ownerOf(context: AwsContext, name: string): Promise<{ owner: string | undefined } | undefined> {
  let url: string
  try {
    url = await queueUrl(context, name)
  } catch (error) {
    if (NotFoundError.isInstance(error)) return undefined
    throw error
  }
  const { client, sdk } = await context.clients.sqs()
  const tags =
    (await awsCall(control('queue lookup', name), () => client.send(new sdk.ListQueueTagsCommand({ QueueUrl: url })))).Tags ?? {}
  return { owner: tags[MANAGED_TAG.Key] === MANAGED_TAG.Value ? tags[FUNCTION_TAG] : undefined }
}

/**
 * A queue belongs to the function that made it: removing that function
 * deletes it. Deploying another function on the same name would share it
 * (and lose it when either goes), and one cloudfn did not make would have
 * its attributes rewritten and be deleted with the function. Both are
 * refused before the deploy changes anything.
 */
export async function checkQueueOwnership(
  context: AwsContext,
  functionName: string,
  trigger: Trigger | undefined,
): Promise<void> {
  if (trigger?.kind !== 'queue') return
  const names = queueNames(trigger, functionName)
  for (const name of new Set([names.queue, names.deadLetter])) {
    const found = await ownerOf(context, name)
    if (!found || found.owner === functionName) continue
    throw new ConflictError({
      provider: 'aws',
      isRetryable: false,
      message:
        found.owner === undefined
          ? `SQS queue '${name}' exists but was not created by cloudfn; choose another queue name for '${functionName}' or delete the queue first`
          : `SQS queue '${name}' belongs to function '${found.owner}'; choose another queue name for '${functionName}' (or remove '${found.owner}' first)`,
    })
  }
}
