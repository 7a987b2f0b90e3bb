/**
 * Cloud Storage's JSON API at storage.googleapis.com (`/storage/v1` and
 * `/upload/storage/v1`), enough for the official `@google-cloud/storage` SDK
 * and cloudfn's storage() trigger: buckets insert/get/list/delete, objects
 * insert (media, multipart and single-request resumable uploads, as the SDK
 * sends them), get (metadata and `alt=media`), list and delete.
 * Reference: https://cloud.google.com/storage/docs/json_api/v1 (resources
 * and methods), https://cloud.google.com/storage/docs/json_api/v1/status-codes
 * (errors), https://cloud.google.com/storage/docs/buckets#naming (names).
 *
 * Object changes go out as Pub/Sub notifications (JSON_API_V1 payload,
 * https://cloud.google.com/storage/docs/pubsub-notifications): Eventarc's
 * storage triggers (eventarc.ts) register one per trigger, as the real
 * Eventarc does behind a Cloud Storage trigger.
 */
import { createHash, randomUUID } from 'node:crypto'
import { HttpResponse } from 'msw'
import { crc32cBase64, gcsError, objectEtag, parseMultipart } from './gcs-wire.ts'
import { GcpEmulatorState } from './state.ts'

const API = 'https://storage.googleapis.com/storage/v1'

export interface GcsBucketResource {
  kind: 'storage#bucket'
  id: string
  selfLink: string
  projectNumber: string
  name: string
  timeCreated: string
  updated: string
  metageneration: string
  location: string
  locationType: string
  storageClass: string
  etag: string
  labels?: Record<string, string>
}

export interface GcsObjectResource {
  kind: 'storage#object'
  id: string
  selfLink: string
  mediaLink: string
  name: string
  bucket: string
  generation: string
  metageneration: string
  contentType: string
  storageClass: string
  /** Bytes, as a decimal string (int64 in JSON). */
  size: string
  /** MD5 of the bytes, base64. */
  md5Hash: string
  crc32c: string
  etag: string
  timeCreated: string
  updated: string
  timeStorageClassUpdated: string
  metadata?: Record<string, string>
}

/** A Pub/Sub notification's event types (https://cloud.google.com/storage/docs/pubsub-notifications#events). */
export type GcsEventType = 'OBJECT_FINALIZE' | 'OBJECT_DELETE'

/** A notification configuration: where a bucket's object changes are published. */
export interface GcsNotification {
  bucket: string
  /** Full Pub/Sub topic name. */
  topic: string
  eventTypes: readonly GcsEventType[]
}

/** Publishes one notification message (the Pub/Sub model's publish). */
export type Publish = (topic: string, message: { data: string; attributes: Record<string, string> }) => void

interface Bucket {
  resource: GcsBucketResource
  objects: Map<string, { resource: GcsObjectResource; bytes: Uint8Array }>
}

/**
 * Bucket names as Cloud Storage takes them: 3 to 63 of lowercase letters,
 * digits, `-`, `_` and `.` (up to 222 with dots, 63 per dot-separated part),
 * starting and ending with a letter or digit, not an IP address, not starting
 * with `goog` nor holding `google` (https://cloud.google.com/storage/docs/buckets#naming).
 */
export function validBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) return false
  if (name.length > (name.includes('.') ? 222 : 63) || name.length < 3) return false
  if (name.split('.').some((part) => part.length > 63)) return false
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false
  return !name.startsWith('goog') && !/g[o0][o0]gle/.test(name)
}

export class GcsModel {
  /** Bucket names are global: one namespace for every project. */
  readonly buckets = new Map<string, Bucket>()
  readonly notifications: GcsNotification[] = []
  readonly #publish: Publish
  #generation = 0

  constructor(publish: Publish) {
    this.#publish = publish
  }

  createBucket(project: string, body: { name?: string; labels?: Record<string, string>; location?: string }): Response {
    const name = body.name ?? ''
    if (!validBucketName(name)) return gcsError(400, 'invalid', `Invalid bucket name: '${name}'`)
    if (this.buckets.has(name)) {
      // The answer to the owner's repeated create; another project's is "not available" (also 409).
      return gcsError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.')
    }
    const now = new Date().toISOString()
    // Without `location` the JSON API makes a US multi-region bucket.
    const location = (body.location ?? 'US').toUpperCase()
    const resource: GcsBucketResource = {
      kind: 'storage#bucket',
      id: name,
      selfLink: `${API}/b/${name}`,
      projectNumber: GcpEmulatorState.projectNumber(project),
      name,
      timeCreated: now,
      updated: now,
      metageneration: '1',
      location,
      locationType: location.includes('-') ? 'region' : 'multi-region',
      storageClass: 'STANDARD',
      etag: 'CAE=',
      ...(body.labels ? { labels: { ...body.labels } } : {}),
    }
    this.buckets.set(name, { resource, objects: new Map() })
    return HttpResponse.json(resource)
  }

  /** Writes an object (a new generation), as every upload does, and notifies. */
  putObject(bucketName: string, name: string, bytes: Uint8Array, contentType = 'application/octet-stream'): GcsObjectResource {
    const bucket = this.buckets.get(bucketName)
    if (!bucket) throw new Error(`no bucket ${bucketName}`)
    const now = new Date()
    // Generations are microsecond timestamps, increasing per object.
    const generation = String(now.getTime() * 1000 + (this.#generation++ % 1000))
    const resource: GcsObjectResource = {
      kind: 'storage#object',
      id: `${bucketName}/${name}/${generation}`,
      selfLink: `${API}/b/${bucketName}/o/${encodeURIComponent(name)}`,
      mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${bucketName}/o/${encodeURIComponent(name)}?generation=${generation}&alt=media`,
      name,
      bucket: bucketName,
      generation,
      metageneration: '1',
      contentType,
      storageClass: 'STANDARD',
      size: String(bytes.byteLength),
      md5Hash: createHash('md5').update(bytes).digest('base64'),
      crc32c: crc32cBase64(bytes),
      etag: objectEtag(generation, 1),
      timeCreated: now.toISOString(),
      updated: now.toISOString(),
      timeStorageClassUpdated: now.toISOString(),
    }
    const previous = bucket.objects.get(name)
    bucket.objects.set(name, { resource, bytes })
    this.#notify('OBJECT_FINALIZE', resource, now.toISOString())
    // Without versioning an overwrite deletes the live generation: OBJECT_DELETE with overwrittenByGeneration.
    if (previous) this.#notify('OBJECT_DELETE', previous.resource, now.toISOString(), { overwrittenByGeneration: generation })
    return resource
  }

  deleteObject(bucketName: string, name: string): boolean {
    const bucket = this.buckets.get(bucketName)
    const found = bucket?.objects.get(name)
    if (!bucket || !found) return false
    bucket.objects.delete(name)
    this.#notify('OBJECT_DELETE', found.resource, new Date().toISOString())
    return true
  }

  /**
   * A notification as Cloud Storage publishes it with payload JSON_API_V1:
   * the object resource as data, and these attributes.
   */
  #notify(eventType: GcsEventType, object: GcsObjectResource, eventTime: string, extra: Record<string, string> = {}) {
    for (const config of this.notifications) {
      if (config.bucket !== object.bucket || !config.eventTypes.includes(eventType)) continue
      this.#publish(config.topic, {
        data: Buffer.from(JSON.stringify(object)).toString('base64'),
        attributes: {
          notificationConfig: `projects/_/buckets/${object.bucket}/notificationConfigs/1`,
          eventType,
          payloadFormat: 'JSON_API_V1',
          bucketId: object.bucket,
          objectId: object.name,
          objectGeneration: object.generation,
          eventTime,
          ...extra,
        },
      })
    }
  }

  /** The JSON API. */
  handler(): (request: Request) => Promise<Response> {
    return async (request) => {
      if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) {
        return gcsError(
          401,
          'required',
          'Anonymous caller does not have storage.objects.list access to the Google Cloud Storage bucket.',
        )
      }
      const url = new URL(request.url)
      const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname)
      if (upload) return this.#upload(decodeURIComponent(upload[1] ?? ''), url, request)
      // Downloads may come at /download/storage/v1/...: the same object paths.
      const match = /^\/storage\/v1\/b(?:\/([^/]+)(\/o(?:\/(.+))?)?)?$/.exec(url.pathname.replace(/^\/download(?=\/)/, ''))
      if (!match) return gcsError(404, 'notFound', 'Not Found')
      const [, rawBucket, objectPath, rawObject] = match
      const method = request.method
      if (rawBucket === undefined) {
        const project = url.searchParams.get('project')
        if (!project) return gcsError(400, 'required', 'Required parameter: project')
        if (method === 'POST') return this.createBucket(project, (await request.json()) as { name?: string })
        if (method === 'GET') return this.#listBuckets(project)
        return gcsError(405, 'methodNotAllowed', `Method ${method} is not allowed here`)
      }
      const bucketName = decodeURIComponent(rawBucket)
      const bucket = this.buckets.get(bucketName)
      if (!bucket) return gcsError(404, 'notFound', 'The specified bucket does not exist.')
      if (!objectPath) {
        if (method === 'GET') return HttpResponse.json(bucket.resource)
        if (method === 'DELETE') {
          if (bucket.objects.size > 0) return gcsError(409, 'conflict', 'The bucket you tried to delete is not empty.')
          this.buckets.delete(bucketName)
          this.notifications.splice(0, this.notifications.length, ...this.notifications.filter((n) => n.bucket !== bucketName))
          return new HttpResponse(null, { status: 204 })
        }
        return gcsError(405, 'methodNotAllowed', `Method ${method} is not allowed here`)
      }
      if (rawObject === undefined) {
        return method === 'GET'
          ? this.#listObjects(bucket, url)
          : gcsError(405, 'methodNotAllowed', `Method ${method} is not allowed here`)
      }
      const name = decodeURIComponent(rawObject)
      const found = bucket.objects.get(name)
      if (!found) return gcsError(404, 'notFound', `No such object: ${bucketName}/${name}`)
      if (method === 'GET') {
        if (url.searchParams.get('alt') === 'media') {
          return new HttpResponse(found.bytes, {
            headers: {
              'content-type': found.resource.contentType,
              'x-goog-hash': `crc32c=${found.resource.crc32c},md5=${found.resource.md5Hash}`,
            },
          })
        }
        return HttpResponse.json(found.resource)
      }
      if (method === 'DELETE') {
        this.deleteObject(bucketName, name)
        return new HttpResponse(null, { status: 204 })
      }
      return gcsError(405, 'methodNotAllowed', `Method ${method} is not allowed here`)
    }
  }

  /** Resumable sessions by upload_id: the object's metadata and the bytes so far, until the last chunk arrives. */
  readonly #sessions = new Map<string, { bucket: string; name: string; contentType: string; received: Buffer }>()

  async #upload(bucketName: string, url: URL, request: Request): Promise<Response> {
    if (!this.buckets.has(bucketName)) return gcsError(404, 'notFound', 'The specified bucket does not exist.')
    const kind = url.searchParams.get('uploadType')
    const body = new Uint8Array(await request.arrayBuffer())
    const contentType = request.headers.get('content-type') ?? ''
    let name = url.searchParams.get('name') ?? ''
    if (kind === 'media' && request.method === 'POST') {
      if (!name) return gcsError(400, 'required', 'Required parameter: name')
      return HttpResponse.json(this.putObject(bucketName, name, body, contentType || undefined))
    }
    if (kind === 'multipart' && request.method === 'POST') {
      let parsed: ReturnType<typeof parseMultipart>
      try {
        parsed = parseMultipart(body, contentType)
      } catch (error) {
        return gcsError(400, 'invalid', (error as Error).message)
      }
      name = (parsed.metadata.name as string | undefined) ?? name
      if (!name) return gcsError(400, 'required', 'Required parameter: name')
      const type = (parsed.metadata.contentType as string | undefined) ?? undefined
      return HttpResponse.json(this.putObject(bucketName, name, parsed.media, type))
    }
    if (kind === 'resumable' && request.method === 'POST') {
      // The session starts with the metadata; its URI is where the bytes go (https://cloud.google.com/storage/docs/performing-resumable-uploads).
      const metadata = body.byteLength > 0 ? (JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>) : {}
      name = (metadata.name as string | undefined) ?? name
      if (!name) return gcsError(400, 'required', 'Required parameter: name')
      const id = randomUUID()
      const type =
        (metadata.contentType as string | undefined) ?? request.headers.get('x-upload-content-type') ?? 'application/octet-stream'
      this.#sessions.set(id, { bucket: bucketName, name, contentType: type, received: Buffer.alloc(0) })
      const location = `https://storage.googleapis.com/upload/storage/v1/b/${bucketName}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`
      return new HttpResponse(null, { status: 200, headers: { location } })
    }
    if (kind === 'resumable' && request.method === 'PUT') {
      const id = url.searchParams.get('upload_id') ?? ''
      const session = this.#sessions.get(id)
      if (!session) return gcsError(404, 'notFound', 'No such upload session.')
      // `Content-Range: bytes A-B/T` (a chunk), `bytes A-B/*` (total not known yet), `bytes A-*/*` (the SDK's
      // single-request stream: the body is the rest of the object), `bytes */T` (the end) or `bytes */*` (a status query).
      const range = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(
        request.headers.get('content-range') ?? `bytes */${body.byteLength}`,
      )
      if (!range) return gcsError(400, 'invalid', 'Invalid Content-Range')
      const [, start, end, total] = range
      if (start !== undefined && Number(start) !== session.received.byteLength) {
        return gcsError(400, 'invalid', `The chunk starts at ${start}, not at ${session.received.byteLength}`)
      }
      session.received = Buffer.concat([session.received, body])
      if (end !== '*' && (total === '*' || Number(total) !== session.received.byteLength)) {
        // 308: send the rest; `Range` says what arrived (https://cloud.google.com/storage/docs/performing-resumable-uploads).
        const headers: Record<string, string> =
          session.received.byteLength > 0 ? { range: `bytes=0-${session.received.byteLength - 1}` } : {}
        return new HttpResponse(null, { status: 308, headers })
      }
      this.#sessions.delete(id)
      return HttpResponse.json(
        this.putObject(session.bucket, session.name, new Uint8Array(session.received), session.contentType),
      )
    }
    return gcsError(400, 'invalid', `Unsupported uploadType ${JSON.stringify(kind)} for ${request.method}`)
  }

  #listBuckets(project: string): Response {
    const number = GcpEmulatorState.projectNumber(project)
    const items = [...this.buckets.values()]
      .map((bucket) => bucket.resource)
      .filter((resource) => resource.projectNumber === number)
    return HttpResponse.json({ kind: 'storage#buckets', ...(items.length ? { items } : {}) })
  }

  #listObjects(bucket: Bucket, url: URL): Response {
    const prefix = url.searchParams.get('prefix') ?? ''
    const max = Math.min(Number(url.searchParams.get('maxResults')) || 1000, 1000)
    const offset = Number(url.searchParams.get('pageToken') || 0)
    const all = [...bucket.objects.values()]
      .map((object) => object.resource)
      .filter((resource) => resource.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const items = all.slice(offset, offset + max)
    const next = offset + max < all.length ? { nextPageToken: String(offset + max) } : {}
    return HttpResponse.json({ kind: 'storage#objects', ...(items.length ? { items } : {}), ...next })
  }
}
