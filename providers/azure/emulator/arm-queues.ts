import { type ArmContext, notFound } from './arm-resources.ts'
import { armError, asRecord, asStringMap, badJson, json, readJson } from './http.ts'
import { createQueue, type QueueState } from './queues.ts'
import { key } from './state.ts'

const QUEUE_NAME = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/

function queueBody(context: ArmContext, account: string, queue: QueueState) {
  return {
    id: `/subscriptions/${context.subscription}/resourceGroups/${context.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}/queueServices/default/queues/${queue.name}`,
    name: queue.name,
    type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
    properties: { metadata: queue.metadata, approximateMessageCount: queue.messages.length },
  }
}

/** `.../storageAccounts/A/queueServices/default/queues[/Q]`: the control plane of storage queues. */
export async function armQueues(context: ArmContext, accountName: string, queueName: string | undefined): Promise<Response> {
  const { request } = context
  const account = context.state.storageAccounts.get(key(context.resourceGroup, accountName))
  if (!account) return notFound('Microsoft.Storage/storageAccounts', accountName, context.resourceGroup)
  if (queueName === undefined) {
    if (request.method !== 'GET') return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
    // The list leaves out the message count, as ARM's ListQueue does.
    const value = [...account.queues.values()].map((queue) => {
      const body = queueBody(context, accountName, queue)
      return { ...body, properties: { metadata: queue.metadata } }
    })
    return json({ value })
  }
  const queue = account.queues.get(queueName)
  if (request.method === 'PUT') {
    const body = await readJson(request)
    if (!body) return badJson()
    if (!QUEUE_NAME.test(queueName)) {
      return armError(400, 'InvalidResourceName', `The specified resource name '${queueName}' is not valid for a queue.`)
    }
    const metadata = asStringMap(asRecord(body.properties).metadata)
    // An existing queue keeps its messages; its metadata is replaced.
    const next = queue ?? createQueue(queueName)
    next.metadata = metadata
    account.queues.set(queueName, next)
    return json(queueBody(context, accountName, next))
  }
  if (request.method === 'GET') {
    return queue
      ? json(queueBody(context, accountName, queue))
      : armError(404, 'QueueNotFound', 'The specified queue does not exist.')
  }
  if (request.method === 'DELETE') {
    account.queues.delete(queueName)
    return new Response(null, { status: 204 })
  }
  return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
}
