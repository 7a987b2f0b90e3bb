import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ForeignQueues } from '../../../conformance/scenario.ts'
import { type AwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'

/**
 * Out-of-band queues on the AWS emulator: made and filled through the SQS SDK
 * (as another tool would, with fake credentials), read and deleted in the
 * emulator's state (a delete there leaves no 60-second name hold, so a queue
 * can be replaced at once).
 */
export function awsForeignQueues(emulator: AwsEmulator, region: string): ForeignQueues {
  const sqs = new SQSClient({ region, credentials: FAKE_CREDENTIALS })
  const { state } = emulator
  return {
    async create(name, messages) {
      // CreateQueue with the same attributes answers the existing queue's URL, so a repeat is safe.
      const made = await harnessRetry(() =>
        sqs.send(new CreateQueueCommand({ QueueName: name, tags: { owner: 'someone-else' } })),
      )
      for (const body of messages)
        await harnessRetry(() => sqs.send(new SendMessageCommand({ QueueUrl: made?.QueueUrl, MessageBody: body })))
    },
    async read(name) {
      const found = state.queues.get(name)
      return found && { marker: { ...found.tags }, messages: found.messages.map((message) => message.body) }
    },
    async delete(name) {
      const found = state.queues.get(name)
      state.queues.delete(name)
      for (const wake of [...(found?.waiting ?? [])]) wake()
    },
  }
}
