/**
 * `.../storageAccounts/A/queueServices/default/queues[/Q]`: the control plane
 * of storage queues, as Azure/azure-rest-api-specs publishes it
 * (specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/queue.json):
 * Queue_Create (PUT, 200), Queue_Update (PATCH, 200), Queue_Get (200),
 * Queue_Delete (204) and Queue_List ($filter name prefix, $maxpagesize, nextLink).
 */
import { type ArmContext, notFound } from './arm-resources.ts'
import { armError, asRecord, asStringMap, badJson, json, readJson } from './http.ts'
import { createQueue, type QueueState } from './queues.ts'
import { key } from './state.ts'

/** The spec's QueueName pattern (3-63 characters, no leading, trailing or doubled hyphen). */
const QUEUE_NAME = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/

function queueBody(context: ArmContext, account: string, queue: QueueState) {
  return {
    id: `/subscriptions/${context.subscription}/resourceGroups/${context.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}/queueServices/default/queues/${queue.name}`,
    name: queue.name,
    type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
    properties: { metadata: queue.metadata, approximateMessageCount: queue.messages.length },
  }
}

/** Queue_List: ListQueue items leave out the message count; pages continue at `$skipToken` (the next name). */
function list(context: ArmContext, accountName: string, queues: Map<string, QueueState>): Response {
  const url = new URL(context.request.url)
  const prefix = url.searchParams.get('$filter') ?? ''
  const skipToken = url.searchParams.get('$skipToken') ?? ''
  const pageSize = Number(url.searchParams.get('$maxpagesize') ?? 5000)
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    return armError(
      400,
      'InvalidQueryParameterValue',
      'Value for one of the query parameters specified in the request URI is invalid.',
    )
  }
  const names = [...queues.keys()].filter((name) => name.startsWith(prefix) && name >= skipToken).sort()
  const value = names.slice(0, pageSize).map((name) => {
    const body = queueBody(context, accountName, queues.get(name) ?? createQueue(name))
    return { ...body, properties: { metadata: body.properties.metadata } }
  })
  const next = names[pageSize]
  if (next === undefined) return json({ value })
  const nextLink = new URL(url)
  nextLink.searchParams.set('$skipToken', next)
  return json({ value, nextLink: nextLink.toString() })
}

export async function armQueues(context: ArmContext, accountName: string, queueName: string | undefined): Promise<Response> {
  const { request } = context
  const account = context.state.storageAccounts.get(key(context.resourceGroup, accountName))
  if (!account) return notFound('Microsoft.Storage/storageAccounts', accountName, context.resourceGroup)
  if (queueName === undefined) {
    if (request.method !== 'GET') return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
    return list(context, accountName, account.queues)
  }
  // The spec's path pattern applies to every operation on a queue.
  if (!QUEUE_NAME.test(queueName)) {
    return armError(400, 'InvalidResourceName', `The specified resource name '${queueName}' is not valid for a queue.`)
  }
  const queue = account.queues.get(queueName)
  if (request.method === 'PUT' || request.method === 'PATCH') {
    const body = await readJson(request)
    if (!body) return badJson()
    // Queue_Update changes an existing queue; Queue_Create also makes a missing one.
    if (request.method === 'PATCH' && !queue) return armError(404, 'QueueNotFound', 'The specified queue does not exist.')
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
