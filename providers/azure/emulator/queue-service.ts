/**
 * The Storage Queue data plane at `https://ACCOUNT.queue.core.windows.net`:
 * Create and Delete Queue, Put, Get and Delete Message, in the REST API's
 * XML with `x-ms-error-code` errors, as `@azure/storage-queue` speaks it.
 */
import { randomUUID } from 'node:crypto'
import { createQueue, deleteMessage, getMessages, putMessage, type QueueMessageState } from './queues.ts'
import type { AzureState, StorageAccountState } from './state.ts'

const XML = { 'content-type': 'application/xml', 'x-ms-version': '2025-11-05' }

function storageError(status: number, code: string, message: string): Response {
  const requestId = randomUUID()
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`
  return new Response(body, { status, headers: { ...XML, 'x-ms-error-code': code, 'x-ms-request-id': requestId } })
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
const httpDate = (ms: number) => new Date(ms).toUTCString()

function messageXml(message: QueueMessageState, withText: boolean): string {
  const text = withText
    ? `<DequeueCount>${message.dequeueCount}</DequeueCount><MessageText>${escapeXml(message.text)}</MessageText>`
    : ''
  return `<QueueMessage><MessageId>${message.id}</MessageId><InsertionTime>${httpDate(message.insertedAt)}</InsertionTime><ExpirationTime>${httpDate(message.expiresAt)}</ExpirationTime><PopReceipt>${message.popReceipt}</PopReceipt><TimeNextVisible>${httpDate(message.visibleAt)}</TimeNextVisible>${text}</QueueMessage>`
}

function list(messages: QueueMessageState[], withText: boolean): Response {
  const body = `<?xml version="1.0" encoding="utf-8"?><QueueMessagesList>${messages.map((m) => messageXml(m, withText)).join('')}</QueueMessagesList>`
  return new Response(body, { status: withText ? 200 : 201, headers: XML })
}

/** Any account key signature or bearer token passes; none at all is refused as Azure does. */
function authenticated(request: Request, url: URL): boolean {
  return /^(SharedKey|Bearer) \S/.test(request.headers.get('authorization') ?? '') || url.searchParams.has('sig')
}

const MAX_MESSAGE_BYTES = 64 * 1024

async function messages(account: StorageAccountState, queueName: string, id: string | undefined, request: Request, url: URL) {
  const queue = account.queues.get(queueName)
  if (!queue) return storageError(404, 'QueueNotFound', 'The specified queue does not exist.')
  const now = Date.now()
  const seconds = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback) * 1000
  if (request.method === 'POST' && id === undefined) {
    const text = /<MessageText>([\s\S]*)<\/MessageText>/.exec(await request.text())?.[1]
    if (text === undefined) return storageError(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.')
    const decoded = unescapeXml(text)
    if (Buffer.byteLength(decoded) > MAX_MESSAGE_BYTES) {
      return storageError(413, 'RequestBodyTooLarge', 'The request body is too large and exceeds the maximum permissible limit.')
    }
    return list([putMessage(queue, decoded, now, seconds('visibilitytimeout', 0))], false)
  }
  if (request.method === 'GET' && id === undefined) {
    const count = Number(url.searchParams.get('numofmessages') ?? 1)
    if (!Number.isInteger(count) || count < 1 || count > 32) {
      return storageError(
        400,
        'OutOfRangeQueryParameterValue',
        'One of the query parameters specified in the request URI is outside the permissible range.',
      )
    }
    return list(getMessages(queue, count, seconds('visibilitytimeout', 30), now), true)
  }
  if (request.method === 'DELETE' && id !== undefined) {
    const outcome = deleteMessage(queue, id, url.searchParams.get('popreceipt') ?? '')
    if (outcome === 'not-found') return storageError(404, 'MessageNotFound', 'The specified message does not exist.')
    if (outcome === 'receipt-mismatch')
      return storageError(
        400,
        'PopReceiptMismatch',
        'The specified pop receipt did not match the pop receipt for a dequeued message.',
      )
    return new Response(null, { status: 204 })
  }
  return storageError(405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
}

export async function queueService(state: AzureState, request: Request, url: URL): Promise<Response> {
  const account = state.storageAccount(url.hostname.split('.')[0] ?? '')
  if (!account) return storageError(404, 'ResourceNotFound', 'The specified resource does not exist.')
  if (!authenticated(request, url)) {
    return storageError(
      401,
      'NoAuthenticationInformation',
      'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
    )
  }
  const [queueName = '', collection, id] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (collection === 'messages') return messages(account, queueName, id, request, url)
  if (collection !== undefined)
    return storageError(400, 'InvalidUri', 'The requested URI does not represent any resource on the server.')
  if (request.method === 'PUT') {
    if (account.queues.has(queueName)) return new Response(null, { status: 204 })
    account.queues.set(queueName, createQueue(queueName))
    return new Response(null, { status: 201 })
  }
  if (request.method === 'DELETE') {
    if (!account.queues.delete(queueName)) return storageError(404, 'QueueNotFound', 'The specified queue does not exist.')
    return new Response(null, { status: 204 })
  }
  return storageError(405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
}
