/**
 * The Blob service data plane at `https://ACCOUNT.blob.core.windows.net`, the
 * part `@azure/storage-blob` needs to make and read objects: containers
 * (Create, Delete, Get Properties, List) and block blobs (Put Blob, Get Blob,
 * Get Blob Properties, Delete Blob, List Blobs with a prefix), in the REST
 * API's XML with `x-ms-error-code` errors. References:
 * https://learn.microsoft.com/rest/api/storageservices/blob-service-rest-api
 * (each operation's page: statuses 201/200/202, error codes ContainerNotFound,
 * ContainerAlreadyExists, BlobNotFound, InvalidResourceName) and Azurite's blob
 * handlers (Azure/Azurite src/blob/handlers: ContainerHandler, BlobHandler,
 * BlockBlobHandler), whose answers the SDK is tested against. Authorization as
 * the queue service: Shared Key (either account key), a bearer token, or a SAS.
 * Not modelled: blocks (Put Block / Put Block List: the SDK sends one Put Blob
 * up to 256 MiB), leases, snapshots, versions, tiers, conditional headers, ranges.
 */
import { randomUUID } from 'node:crypto'
import type { BlobState } from './blobs.ts'
import { sharedKeyValid } from './shared-key.ts'
import type { AzureState, StorageAccountState } from './state.ts'

const VERSION = '2025-11-05'
/** Container names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
const CONTAINER_NAME = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/

interface Call {
  request: Request
  url: URL
  now: number
  account: StorageAccountState
  state: AzureState
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const httpDate = (ms: number) => new Date(ms).toUTCString()

function headers(now: number, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-ms-version': VERSION, 'x-ms-request-id': randomUUID(), date: httpDate(now), ...extra }
}

function storageError(now: number, status: number, code: string, message: string): Response {
  const own = headers(now, { 'content-type': 'application/xml', 'x-ms-error-code': code })
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${own['x-ms-request-id']}\nTime:${new Date(now).toISOString()}</Message></Error>`
  // A HEAD answer has no body: the code travels in x-ms-error-code only.
  return new Response(body, { status, headers: own })
}

const containerNotFound = (call: Call) =>
  storageError(call.now, 404, 'ContainerNotFound', 'The specified container does not exist.')

function metadataOf(request: Request): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const [name, value] of request.headers) if (name.startsWith('x-ms-meta-')) metadata[name.slice(10)] = value
  return metadata
}

const metadataHeaders = (metadata: Record<string, string>) =>
  Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-ms-meta-${name}`, value]))

function authenticated(request: Request, url: URL, account: StorageAccountState, bodyBytes: number): boolean {
  const authorization = request.headers.get('authorization') ?? ''
  if (/^Bearer \S/.test(authorization)) return true
  if (authorization.startsWith('SharedKey ')) return sharedKeyValid(request, url, account.name, account.keys, bodyBytes)
  return url.searchParams.has('sig')
}

export async function blobService(
  state: AzureState,
  request: Request,
  url: URL,
  now: () => number = Date.now,
): Promise<Response> {
  const at = now()
  const account = state.storageAccount(url.hostname.split('.')[0] ?? '')
  if (!account) return storageError(at, 404, 'ResourceNotFound', 'The specified resource does not exist.')
  const [container, ...blobParts] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  const blob = blobParts.length > 0 ? blobParts.join('/') : undefined
  // A name of the wrong length is its own error, before its characters (Azurite's blob handlers, and the Table
  // service's answers recorded from Azure); "specifed" is Azure's own spelling (recorded answers; Azurite corrects it).
  if (container !== undefined && (container.length < 3 || container.length > 63)) {
    return storageError(at, 400, 'OutOfRangeInput', 'The specified resource name length is not within the permissible limits.')
  }
  if (container !== undefined && !CONTAINER_NAME.test(container)) {
    return storageError(at, 400, 'InvalidResourceName', 'The specifed resource name contains invalid characters.')
  }
  const body = new Uint8Array(await request.arrayBuffer())
  if (!authenticated(request, url, account, body.byteLength)) {
    return storageError(
      at,
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    )
  }
  const call: Call = { request, url, now: at, account, state }
  if (container === undefined) {
    if (request.method === 'GET' && url.searchParams.get('comp') === 'list') return listContainers(call)
    return storageError(at, 400, 'InvalidUri', 'The requested URI does not represent any resource on the server.')
  }
  if (blob === undefined && url.searchParams.get('restype') === 'container') return containerCall(call, container)
  if (blob === undefined)
    return storageError(at, 400, 'InvalidUri', 'The requested URI does not represent any resource on the server.')
  if (!account.containers.has(container)) return containerNotFound(call)
  return blobCall(call, container, blob, body)
}

function containerCall(call: Call, container: string): Response {
  const { request, account, state, now } = call
  const exists = account.containers.has(container)
  if (request.method === 'PUT') {
    if (exists) return storageError(now, 409, 'ContainerAlreadyExists', 'The specified container already exists.')
    account.containers.add(container)
    const info = state.blobs.madeContainer(account.name, container, metadataOf(request), now)
    return new Response(null, { status: 201, headers: headers(now, { etag: info.etag, 'last-modified': httpDate(now) }) })
  }
  if (!exists) return containerNotFound(call)
  if (request.method === 'DELETE') {
    account.containers.delete(container)
    state.blobs.dropContainer(account.name, container)
    return new Response(null, { status: 202, headers: headers(now) })
  }
  if (request.method === 'GET' && call.url.searchParams.get('comp') === 'list') return listBlobs(call, container)
  if (request.method === 'GET' || request.method === 'HEAD') {
    const info = state.blobs.containerInfo(account.name, container, now)
    return new Response(null, {
      status: 200,
      headers: headers(now, {
        etag: info.etag,
        'last-modified': httpDate(info.modifiedAt),
        'x-ms-lease-status': 'unlocked',
        'x-ms-lease-state': 'available',
        'x-ms-has-immutability-policy': 'false',
        'x-ms-has-legal-hold': 'false',
        ...metadataHeaders(info.metadata),
      }),
    })
  }
  return storageError(now, 405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
}

function blobHeaders(now: number, blob: BlobState): Record<string, string> {
  return headers(now, {
    etag: blob.etag,
    'last-modified': httpDate(blob.modifiedAt),
    'content-length': String(blob.bytes.byteLength),
    'content-type': blob.contentType,
    'content-md5': blob.contentMd5,
    'x-ms-blob-type': 'BlockBlob',
    'x-ms-creation-time': httpDate(blob.createdAt),
    'x-ms-lease-status': 'unlocked',
    'x-ms-lease-state': 'available',
    'x-ms-server-encrypted': 'true',
    ...metadataHeaders(blob.metadata),
  })
}

function blobCall(call: Call, container: string, name: string, body: Uint8Array): Response {
  const { request, account, state, now } = call
  const blobs = state.blobs.blobs(account.name, container)
  if (request.method === 'PUT') {
    if (request.headers.get('x-ms-blob-type') !== 'BlockBlob') {
      return storageError(now, 400, 'InvalidHeaderValue', 'The value for one of the HTTP headers is not in the correct format.')
    }
    const contentType =
      request.headers.get('x-ms-blob-content-type') ?? request.headers.get('content-type') ?? 'application/octet-stream'
    const blob = state.blobs.put(account.name, container, name, body, contentType, now)
    blob.metadata = metadataOf(request)
    const clientRequestId = request.headers.get('x-ms-client-request-id') ?? undefined
    state.blobs.notify({ account: account.name, container, blob: name, kind: 'created', at: now, state: blob, clientRequestId })
    return new Response(null, {
      status: 201,
      headers: headers(now, {
        etag: blob.etag,
        'last-modified': httpDate(now),
        'content-md5': blob.contentMd5,
        'x-ms-request-server-encrypted': 'true',
      }),
    })
  }
  const blob = blobs.get(name)
  if (!blob) return storageError(now, 404, 'BlobNotFound', 'The specified blob does not exist.')
  if (request.method === 'DELETE') {
    blobs.delete(name)
    const clientRequestId = request.headers.get('x-ms-client-request-id') ?? undefined
    state.blobs.notify({ account: account.name, container, blob: name, kind: 'deleted', at: now, state: blob, clientRequestId })
    return new Response(null, { status: 202, headers: headers(now, { 'x-ms-delete-type-permanent': 'true' }) })
  }
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: blobHeaders(now, blob) })
  if (request.method === 'GET') return new Response(blob.bytes, { status: 200, headers: blobHeaders(now, blob) })
  return storageError(now, 405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.")
}

function listContainers(call: Call): Response {
  const { account, now, url } = call
  const prefix = url.searchParams.get('prefix') ?? ''
  const entries = [...account.containers]
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => {
      const info = call.state.blobs.containerInfo(account.name, name, now)
      return `<Container><Name>${escapeXml(name)}</Name><Properties><Last-Modified>${httpDate(info.modifiedAt)}</Last-Modified><Etag>${escapeXml(info.etag)}</Etag><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold></Properties></Container>`
    })
    .join('')
  const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://${account.name}.blob.core.windows.net/">${prefix ? `<Prefix>${escapeXml(prefix)}</Prefix>` : ''}<Containers>${entries}</Containers><NextMarker /></EnumerationResults>`
  return new Response(body, { status: 200, headers: headers(now, { 'content-type': 'application/xml' }) })
}

function listBlobs(call: Call, container: string): Response {
  const { account, now, url, state } = call
  const prefix = url.searchParams.get('prefix') ?? ''
  const entries = [...state.blobs.blobs(account.name, container).values()]
    .filter((blob) => blob.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(
      (blob) =>
        `<Blob><Name>${escapeXml(blob.name)}</Name><Properties><Creation-Time>${httpDate(blob.createdAt)}</Creation-Time><Last-Modified>${httpDate(blob.modifiedAt)}</Last-Modified><Etag>${escapeXml(blob.etag.replace(/"/g, ''))}</Etag><Content-Length>${blob.bytes.byteLength}</Content-Length><Content-Type>${escapeXml(blob.contentType)}</Content-Type><Content-MD5>${blob.contentMd5}</Content-MD5><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties></Blob>`,
    )
    .join('')
  const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://${account.name}.blob.core.windows.net/" ContainerName="${escapeXml(container)}">${prefix ? `<Prefix>${escapeXml(prefix)}</Prefix>` : ''}<Blobs>${entries}</Blobs><NextMarker /></EnumerationResults>`
  return new Response(body, { status: 200, headers: headers(now, { 'content-type': 'application/xml' }) })
}
