/**
 * The Storage Queue data plane at `https://ACCOUNT.queue.core.windows.net`,
 * in the REST API's XML with `x-ms-error-code` errors, as
 * `@azure/storage-queue` speaks it: queues (create, delete, properties,
 * metadata, list) and messages (put, get, peek, update, delete, clear).
 * Reference: https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api;
 * every status, error code and message text is diffed against Microsoft's
 * Azurite in queue-service.azurite.test.ts (differences: docs/FIDELITY.md).
 */
import { randomUUID } from 'node:crypto'
import {
  createQueue,
  DEFAULT_TTL_MS,
  deleteMessage,
  dropExpired,
  getMessages,
  NEVER_EXPIRES,
  peekMessages,
  putMessage,
  type QueueMessageState,
  type QueueState,
  updateMessage,
} from './queues.ts'
import { sharedKeyValid } from './shared-key.ts'
import type { AzureState, StorageAccountState } from './state.ts'

const VERSION = '2025-11-05'
const httpDate = (ms: number) => new Date(ms).toUTCString()

/** Limits of the REST reference (Put/Get/Peek/Update Message), the same as Azurite's constants. */
const MAX_MESSAGE_BYTES = 64 * 1024
const MAX_VISIBILITY_SEC = 7 * 24 * 3600
const DEFAULT_GET_VISIBILITY_SEC = 30
const MAX_MESSAGES = 32

interface Call {
  request: Request
  url: URL
  now: number
}

function headers(call: Call, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-ms-version': VERSION, 'x-ms-request-id': randomUUID(), date: httpDate(call.now), ...extra }
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&amp;/g, '&')

/** An error as Azure Storage writes it; `details` become extra elements (QueryParameterName, ...). */
function storageError(call: Call, status: number, code: string, message: string, details: Record<string, string> = {}) {
  const extra = Object.entries(details)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('')
  const own = headers(call, { 'content-type': 'application/xml', 'x-ms-error-code': code })
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${own['x-ms-request-id']}\nTime:${new Date(call.now).toISOString()}</Message>${extra}</Error>`
  return new Response(body, { status, headers: own })
}

const queueNotFound = (call: Call) => storageError(call, 404, 'QueueNotFound', 'The specified queue does not exist.')
/** A Put or Update Message whose text is over MAX_MESSAGE_BYTES. */
const messageTooLarge = (call: Call) =>
  storageError(call, 413, 'RequestBodyTooLarge', 'The request body is too large and exceeds the maximum permissible limit.', {
    MaxLimit: String(MAX_MESSAGE_BYTES),
  })
const outOfRange = (call: Call, name: string, value: string, min: number, max: number) =>
  storageError(
    call,
    400,
    'OutOfRangeQueryParameterValue',
    'One of the query parameters specified in the request URI is outside the permissible range.',
    { QueryParameterName: name, QueryParameterValue: value, MinimumAllowed: String(min), MaximumAllowed: String(max) },
  )
const invalidQuery = (call: Call, name: string, value: string, reason: string) =>
  storageError(
    call,
    400,
    'InvalidQueryParameterValue',
    'Value for one of the query parameters specified in the request URI is invalid.',
    { QueryParameterName: name, QueryParameterValue: value, Reason: reason },
  )
const empty = (call: Call, status: number, extra: Record<string, string> = {}) =>
  new Response(null, { status, headers: headers(call, extra) })
const xml = (call: Call, status: number, body: string) =>
  new Response(`<?xml version="1.0" encoding="utf-8"?>${body}`, {
    status,
    headers: headers(call, { 'content-type': 'application/xml' }),
  })

/** An integer query parameter in [min, max] (or its default when absent), else the error to answer. */
function integerParam(call: Call, name: string, fallback: number, min: number, max: number): number | Response {
  const raw = call.url.searchParams.get(name)
  if (raw === null) return fallback
  const value = Number(raw)
  if (!/^-?\d+$/.test(raw)) return invalidQuery(call, name, raw, 'Value must be an integer.')
  if (value < min || value > max) return outOfRange(call, name, raw, min, max)
  return value
}

/** Queue names: 3-63 characters, lower-case letters, digits and single inner hyphens (Azurite's isValidName). */
function nameError(call: Call, name: string): Response | undefined {
  if (name.length > 0 && (name.length < 3 || name.length > 63)) {
    return storageError(call, 400, 'OutOfRangeInput', 'The specified resource name length is not within the permissible limits.')
  }
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) {
    return storageError(call, 400, 'InvalidResourceName', 'The specified resource name contains invalid characters.')
  }
  return undefined
}

/** `x-ms-meta-*` headers: names are case-insensitive, so they are kept lower case as Node reads them. */
function metadataOf(request: Request): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const [name, value] of request.headers) {
    if (name.startsWith('x-ms-meta-')) metadata[name.slice('x-ms-meta-'.length)] = value
  }
  return metadata
}

const metadataHeaders = (metadata: Record<string, string>) =>
  Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-ms-meta-${name}`, value]))

function sameMetadata(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((name) => b[name] === a[name])
}

/** `<MessageText>` of a Put/Update Message body; `<MessageText/>` is the empty message. */
function messageText(body: string): string | undefined {
  if (/<MessageText\s*\/>/.test(body)) return ''
  const text = /<MessageText>([\s\S]*)<\/MessageText>/.exec(body)?.[1]
  return text === undefined ? undefined : unescapeXml(text)
}

function messageXml(message: QueueMessageState, kind: 'put' | 'get' | 'peek'): string {
  const times = `<InsertionTime>${httpDate(message.insertedAt)}</InsertionTime><ExpirationTime>${httpDate(message.expiresAt)}</ExpirationTime>`
  const receipt = `<PopReceipt>${message.popReceipt}</PopReceipt><TimeNextVisible>${httpDate(message.visibleAt)}</TimeNextVisible>`
  const content = `<DequeueCount>${message.dequeueCount}</DequeueCount><MessageText>${escapeXml(message.text)}</MessageText>`
  // Put answers without the text, Peek without pop receipt and next-visible time.
  const inner = kind === 'put' ? receipt : kind === 'get' ? `${receipt}${content}` : content
  return `<QueueMessage><MessageId>${message.id}</MessageId>${times}${inner}</QueueMessage>`
}

const messageList = (call: Call, status: number, messages: QueueMessageState[], kind: 'put' | 'get' | 'peek') =>
  xml(call, status, `<QueueMessagesList>${messages.map((message) => messageXml(message, kind)).join('')}</QueueMessagesList>`)

async function putMessageCall(call: Call, queue: QueueState): Promise<Response> {
  const text = messageText(await call.request.text())
  if (text === undefined) return storageError(call, 400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.')
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return messageTooLarge(call)
  const visibility = integerParam(call, 'visibilitytimeout', 0, 0, MAX_VISIBILITY_SEC)
  if (visibility instanceof Response) return visibility
  const rawTtl = call.url.searchParams.get('messagettl')
  let ttlMs = DEFAULT_TTL_MS
  if (rawTtl !== null) {
    const ttl = Number(rawTtl)
    if (!/^-?\d+$/.test(rawTtl) || (ttl < 1 && ttl !== -1)) {
      return invalidQuery(
        call,
        'messagettl',
        rawTtl,
        'Value must be greater than or equal to 1, or -1 to indicate an infinite TTL.',
      )
    }
    if (ttl !== -1 && call.url.searchParams.has('visibilitytimeout') && visibility >= ttl) {
      return invalidQuery(call, 'visibilitytimeout', String(visibility), 'messagettl must be greater than visibilitytimeout.')
    }
    ttlMs = ttl === -1 ? NEVER_EXPIRES - call.now : ttl * 1000
  }
  return messageList(call, 201, [putMessage(queue, text, call.now, visibility * 1000, ttlMs)], 'put')
}

async function messages(call: Call, queue: QueueState, id: string | undefined): Promise<Response> {
  const { request, url, now } = call
  if (id === undefined) {
    if (request.method === 'POST') return putMessageCall(call, queue)
    if (request.method === 'DELETE') {
      queue.messages = []
      return empty(call, 204)
    }
    if (request.method === 'GET') {
      const count = integerParam(call, 'numofmessages', 1, 1, MAX_MESSAGES)
      if (count instanceof Response) return count
      if (url.searchParams.get('peekonly') === 'true') return messageList(call, 200, peekMessages(queue, count, now), 'peek')
      const visibility = integerParam(call, 'visibilitytimeout', DEFAULT_GET_VISIBILITY_SEC, 1, MAX_VISIBILITY_SEC)
      if (visibility instanceof Response) return visibility
      return messageList(call, 200, getMessages(queue, count, visibility * 1000, now), 'get')
    }
  } else {
    const popReceipt = url.searchParams.get('popreceipt') ?? ''
    let outcome: QueueMessageState | 'deleted' | 'not-found' | 'receipt-mismatch' | undefined
    if (request.method === 'DELETE') outcome = deleteMessage(queue, id, popReceipt, now)
    if (request.method === 'PUT') {
      const body = await request.text()
      const text = body.trim() === '' ? undefined : messageText(body)
      if (text !== undefined && Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return messageTooLarge(call)
      const visibility = integerParam(call, 'visibilitytimeout', DEFAULT_GET_VISIBILITY_SEC, 0, MAX_VISIBILITY_SEC)
      if (visibility instanceof Response) return visibility
      outcome = updateMessage(queue, id, popReceipt, now, visibility * 1000, text)
    }
    if (outcome === 'not-found') return storageError(call, 404, 'MessageNotFound', 'The specified message does not exist.')
    if (outcome === 'receipt-mismatch') {
      return storageError(
        call,
        400,
        'PopReceiptMismatch',
        'The specified pop receipt did not match the pop receipt for a dequeued message.',
      )
    }
    if (outcome === 'deleted') return empty(call, 204)
    if (outcome) {
      return empty(call, 204, { 'x-ms-popreceipt': outcome.popReceipt, 'x-ms-time-next-visible': httpDate(outcome.visibleAt) })
    }
  }
  return storageError(call, 405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
}

/** List Queues: by name, in pages whose marker is the next name (Azure's marker is opaque to clients). */
function listQueues(call: Call, account: StorageAccountState): Response {
  const { url } = call
  const prefix = url.searchParams.get('prefix') ?? ''
  const marker = url.searchParams.get('marker') ?? ''
  const max = integerParam(call, 'maxresults', 5000, 1, 5000)
  if (max instanceof Response) return max
  const withMetadata = (url.searchParams.get('include') ?? '').split(',').includes('metadata')
  const names = [...account.queues.keys()].filter((name) => name.startsWith(prefix) && name >= marker).sort()
  const page = names.slice(0, max)
  const queues = page
    .map((name) => {
      const metadata = account.queues.get(name)?.metadata ?? {}
      const entries = Object.entries(metadata)
        .map(([key, value]) => `<${key}>${escapeXml(value)}</${key}>`)
        .join('')
      return `<Queue><Name>${name}</Name>${withMetadata ? `<Metadata>${entries}</Metadata>` : ''}</Queue>`
    })
    .join('')
  const echo = ['prefix', 'marker', 'maxresults']
    .filter((name) => url.searchParams.has(name))
    .map((name) => {
      const tag = name === 'maxresults' ? 'MaxResults' : name === 'prefix' ? 'Prefix' : 'Marker'
      return `<${tag}>${escapeXml(url.searchParams.get(name) ?? '')}</${tag}>`
    })
    .join('')
  const next = names[max] ?? ''
  return xml(
    call,
    200,
    `<EnumerationResults ServiceEndpoint="https://${account.name}.queue.core.windows.net/">${echo}<Queues>${queues}</Queues><NextMarker>${next}</NextMarker></EnumerationResults>`,
  )
}

function queueCall(call: Call, account: StorageAccountState, name: string): Response {
  const { request, url } = call
  const queue = account.queues.get(name)
  const comp = url.searchParams.get('comp')
  if (comp === 'metadata') {
    if (!queue) return queueNotFound(call)
    if (request.method === 'GET' || request.method === 'HEAD') {
      dropExpired(queue, call.now)
      return empty(call, 200, {
        ...metadataHeaders(queue.metadata),
        'x-ms-approximate-messages-count': String(queue.messages.length),
      })
    }
    if (request.method === 'PUT') {
      queue.metadata = metadataOf(request)
      return empty(call, 204)
    }
  } else if (comp === null) {
    if (request.method === 'PUT') {
      const metadata = metadataOf(request)
      if (!queue) {
        account.queues.set(name, createQueue(name, metadata))
        return empty(call, 201)
      }
      // Creating an existing queue succeeds only with the metadata it already has.
      if (sameMetadata(queue.metadata, metadata)) return empty(call, 204)
      return storageError(call, 409, 'QueueAlreadyExists', 'The specified queue already exists.')
    }
    if (request.method === 'DELETE') {
      if (!account.queues.delete(name)) return queueNotFound(call)
      return empty(call, 204)
    }
  }
  return storageError(call, 405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
}

/**
 * Shared Key with one of the account's keys, or a bearer token (any, as the
 * emulator's ARM accepts any), or a SAS (`sig`, not verified). Anything else
 * is 403 AuthenticationFailed, as Azure and Azurite answer.
 */
function authenticated(request: Request, url: URL, account: StorageAccountState, bodyBytes: number): boolean {
  const authorization = request.headers.get('authorization') ?? ''
  if (/^Bearer \S/.test(authorization)) return true
  if (authorization.startsWith('SharedKey ')) return sharedKeyValid(request, url, account.name, account.keys, bodyBytes)
  return url.searchParams.has('sig')
}

export async function queueService(
  state: AzureState,
  request: Request,
  url: URL,
  now: () => number = Date.now,
): Promise<Response> {
  const call: Call = { request, url, now: now() }
  const account = state.storageAccount(url.hostname.split('.')[0] ?? '')
  if (!account) return storageError(call, 404, 'ResourceNotFound', 'The specified resource does not exist.')
  let segments: string[]
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    return storageError(call, 400, 'InvalidUri', 'The requested URI does not represent any resource on the server.')
  }
  const [queueName, collection, id, ...rest] = segments
  // Names are checked before authentication, as Azurite's context middleware does.
  if (queueName !== undefined) {
    const invalid = nameError(call, queueName)
    if (invalid) return invalid
  }
  const bodyBytes = (await request.clone().arrayBuffer()).byteLength
  if (!authenticated(request, url, account, bodyBytes)) {
    return storageError(
      call,
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request.Make sure the value of the Authorization header is formed correctly including the signature.',
    )
  }
  if (queueName === undefined) {
    if (request.method === 'GET' && url.searchParams.get('comp') === 'list') return listQueues(call, account)
    return storageError(call, 400, 'InvalidUri', 'The requested URI does not represent any resource on the server.')
  }
  if (collection === undefined) return queueCall(call, account, queueName)
  if (collection !== 'messages' || rest.length > 0) {
    return storageError(call, 400, 'InvalidUri', 'The requested URI does not represent any resource on the server.')
  }
  const queue = account.queues.get(queueName)
  if (!queue) return queueNotFound(call)
  return messages(call, queue, id)
}
