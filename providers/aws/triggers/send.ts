import type { SendRequest } from '../../../src/provider.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { queueUrl } from './queue.ts'

/** SendMessage to the function's queue, found by name once. */
export async function sendMessage(
  context: AwsContext,
  request: SendRequest,
  signal?: AbortSignal,
): Promise<{ messageId: string }> {
  const url = await queueUrl(context, request.queue)
  const { client, sdk } = await context.clients.sqs()
  const sent = await awsCall(control('send', request.queue), () =>
    client.send(new sdk.SendMessageCommand({ QueueUrl: url, MessageBody: request.message }), { abortSignal: signal }),
  )
  return { messageId: sent.MessageId ?? '' }
}
