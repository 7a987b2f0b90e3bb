import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { type HarnessRetryOptions, harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ForeignQueues } from '../../../conformance/scenario.ts'
import { type AwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'

/**
 * Out-of-band queues on the AWS emulator: made and filled through the SQS SDK
 * (as another tool would, with fake credentials), read and deleted in the
 * emulator's state (a delete there leaves no 60-second name hold, so a queue
 * can be replaced at once). `retry` sets the harness retry's waits (tests
 * inject a fake sleep).
 *
 * A SendMessage repeated after a lost answer can leave a second copy: a
 * standard queue has no deduplication (`MessageDeduplicationId` is FIFO-only,
 * SendMessage API reference), and a FIFO queue would not be the kind of queue
 * the scenario is about. SQS promises at-least-once, and queue-ownership
 * compares the distinct messages sent with those held (`distinctMessages`).
 */
export function awsForeignQueues(
  emulator: AwsEmulator,
  region: string,
  retry: Pick<HarnessRetryOptions, 'sleep' | 'random'> = {},
): ForeignQueues {
  const sqs = new SQSClient({ region, credentials: FAKE_CREDENTIALS })
  const { state } = emulator
  return {
    async create(name, messages) {
      // CreateQueue with the same attributes answers the existing queue's URL, so a repeat is safe.
      const made = await harnessRetry(
        () => sqs.send(new CreateQueueCommand({ QueueName: name, tags: { owner: 'someone-else' } })),
        retry,
      )
      for (const body of messages)
        await harnessRetry(() => sqs.send(new SendMessageCommand({ QueueUrl: made?.QueueUrl, MessageBody: body })), retry)
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
