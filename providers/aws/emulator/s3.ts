/**
 * S3 as @aws-sdk/client-s3 (3.x) speaks it: REST with XML bodies at
 * `https://<bucket>.s3.<region>.amazonaws.com/<key>` (virtual-hosted, the
 * SDK's default) and `https://s3.<region>.amazonaws.com/<bucket>/<key>`
 * (path-style), operations told apart by method and sub-resource as the
 * Smithy model's `@http` traits say (dist-es/schemas/schemas_0.js), errors
 * as S3's `<Error>` document (wire.ts). The operations the provider and the
 * tests use, with the answers of the API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/): ListBuckets (region, prefix, pages),
 * CreateBucket, HeadBucket, DeleteBucket (BucketNotEmpty while it holds
 * objects), Get/Put/DeleteBucketTagging, ListObjectsV2, PutObject (ETag the
 * quoted MD5; a CRC32 checksum the SDK sends is checked), GetObject,
 * DeleteObject and Get/PutBucketNotificationConfiguration
 * (s3-notifications.ts).
 *
 * Every object change that a Lambda configuration matches invokes that
 * function asynchronously with the S3 event (s3-model.ts) through invoke.ts's
 * event queue, so Lambda's retries and on-failure destination apply
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html); a queue
 * configuration gets the event as an SQS message. Topic destinations are
 * kept but not delivered to.
 */
import { createHash, randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { HttpResponse, http } from 'msw'
import { enqueueAsync } from './invoke.ts'
import { type EmulatorEnv, route } from './router.ts'
import { type EmulatedBucket, matching, newBucket, type S3Change, s3Event, validBucketName } from './s3-model.ts'
import { checkNotifications, notificationsXml, parseNotifications, S3_NS, s3MayInvoke } from './s3-notifications.ts'
import { childrenNamed, childText, parseXml } from './s3-xml.ts'
import { enqueue, newMessage } from './sqs-model.ts'
import { AwsFault, xmlEscape } from './wire.ts'

interface Target {
  /** Undefined for the service (ListBuckets). */
  bucket: string | undefined
  /** '' for the bucket itself. */
  key: string
  query: URLSearchParams
}

/** The bucket and key a request names, virtual-hosted or path-style. */
function targetOf(request: Request, region: string): Target {
  const url = new URL(request.url)
  const service = `s3.${region}.amazonaws.com`
  const path = url.pathname.slice(1)
  if (url.hostname !== service) {
    return { bucket: url.hostname.slice(0, -service.length - 1), key: decodeURIComponent(path), query: url.searchParams }
  }
  const slash = path.indexOf('/')
  if (path === '') return { bucket: undefined, key: '', query: url.searchParams }
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash))
  return { bucket, key: slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1)), query: url.searchParams }
}

/** The operation, from method and sub-resource as each operation's `@http` trait gives them. */
function operationOf(request: Request, target: Target): string {
  const { method } = request
  const has = (name: string) => target.query.has(name)
  if (target.bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown'
  if (target.key !== '') {
    if (request.headers.has('x-amz-copy-source')) return 'CopyObject'
    return { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[method] ?? 'Unknown'
  }
  if (has('notification')) return method === 'GET' ? 'GetBucketNotificationConfiguration' : 'PutBucketNotificationConfiguration'
  if (has('tagging'))
    return { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'DeleteBucketTagging' }[method] ?? 'Unknown'
  if (method === 'GET') return target.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'
  return { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' }[method] ?? 'Unknown'
}

const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new HttpResponse(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { 'content-type': 'application/xml', ...headers },
  })
const empty = (status: number, headers: Record<string, string> = {}) => new HttpResponse(null, { status, headers })

const noSuchBucket = (bucket: string) =>
  new AwsFault(404, 'NoSuchBucket', 'The specified bucket does not exist', { fields: { BucketName: bucket } })

function tagsOf(body: string): Array<{ Key: string; Value: string }> {
  const root = parseXml(body)
  const set = root.children.find((child) => child.name === 'TagSet')
  return (set ? childrenNamed(set, 'Tag') : []).map((tag) => ({
    Key: childText(tag, 'Key') ?? '',
    Value: childText(tag, 'Value') ?? '',
  }))
}

function listObjectsXml(bucket: EmulatedBucket, query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? ''
  const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), 1000)
  const token = query.get('continuation-token')
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : (query.get('start-after') ?? '')
  const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort()
  const page = keys.slice(0, maxKeys)
  const truncated = keys.length > page.length
  const contents = page.map((key) => {
    const object = bucket.objects.get(key)
    return `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${object?.lastModified}</LastModified><ETag>&quot;${object?.etag}&quot;</ETag><Size>${object?.bytes.byteLength}</Size><StorageClass>STANDARD</StorageClass></Contents>`
  })
  const next = truncated
    ? `<NextContinuationToken>${Buffer.from(page.at(-1) ?? '').toString('base64')}</NextContinuationToken>`
    : ''
  return `<ListBucketResult xmlns="${S3_NS}"><Name>${bucket.name}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents.join('')}${next}</ListBucketResult>`
}

/**
 * ListBuckets (API_ListBuckets.html): this account's buckets; `bucket-region`
 * and `prefix` narrow them, `max-buckets` pages them with an opaque
 * `continuation-token`. Without max-buckets a request with any of the other
 * three gets pages of 10,000, one with none of them every bucket (the
 * request members' documentation in the SDK's model). Every bucket here is in
 * the emulator's region, so another `bucket-region` lists none (S3 documents
 * such a request as unsupported; its answer is not checked). Listed by name.
 */
function listBucketsXml(all: EmulatedBucket[], accountId: string, region: string, query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? ''
  const token = query.get('continuation-token')
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : ''
  const paged = ['bucket-region', 'prefix', 'continuation-token'].some((name) => query.has(name))
  const size = Number(query.get('max-buckets') ?? (paged ? 10_000 : Number.POSITIVE_INFINITY))
  const listed = all
    .filter((bucket) => bucket.owner === undefined || bucket.owner === accountId)
    .filter(
      (bucket) => (query.get('bucket-region') ?? region) === region && bucket.name.startsWith(prefix) && bucket.name > after,
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1))
  const page = listed.slice(0, size)
  const buckets = page.map(
    (bucket) =>
      `<Bucket><Name>${bucket.name}</Name><CreationDate>${bucket.creationDate}</CreationDate><BucketRegion>${region}</BucketRegion></Bucket>`,
  )
  const next =
    listed.length > page.length
      ? `<ContinuationToken>${Buffer.from(page.at(-1)?.name ?? '').toString('base64')}</ContinuationToken>`
      : ''
  const echoed = query.has('prefix') ? `<Prefix>${xmlEscape(prefix)}</Prefix>` : ''
  return `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>${accountId}</ID></Owner><Buckets>${buckets.join('')}</Buckets>${next}${echoed}</ListAllMyBucketsResult>`
}

export function s3Handlers(env: EmulatorEnv) {
  const { state } = env
  const { region, accountId } = state.options

  const bucketOf = (name: string): EmulatedBucket => {
    const bucket = state.buckets.get(name)
    if (!bucket) throw noSuchBucket(name)
    if (bucket.owner !== undefined && bucket.owner !== accountId) throw new AwsFault(403, 'AccessDenied', 'Access Denied')
    return bucket
  }

  /** Hands the change to every matching configuration's destination. */
  const notify = (change: Omit<S3Change, 'time'>) => {
    const { bucket, key, eventName } = change
    bucket.sequence++
    const full: S3Change = { ...change, time: new Date().toISOString() }
    for (const entry of matching(bucket, `s3:${eventName}`, key)) {
      const event = s3Event(region, accountId, full, entry.id)
      if (entry.kind === 'QueueConfiguration') {
        const queue = state.queueByArn(entry.arn)
        if (queue) enqueue(queue, newMessage(event))
      }
      if (entry.kind !== 'CloudFunctionConfiguration') continue
      const fn = state.functions.get(/:function:([^:]+)/.exec(entry.arn)?.[1] ?? '')
      // S3 asks Lambda to run it; a function gone or no longer allowing S3 gets nothing.
      if (fn && s3MayInvoke(fn, bucket.name)) void enqueueAsync(env, fn, event, randomUUID())
    }
  }

  const operation = (request: Request) => operationOf(request, targetOf(request, region))
  // Faults match `METHOD /<bucket>/<key>` whichever addressing the client uses, so a test can aim one at a bucket.
  const pathStyleLine = (request: Request) => {
    const { bucket, key } = targetOf(request, region)
    return `${request.method} /${[bucket, key].filter(Boolean).join('/')}`
  }
  const handle = route(
    env,
    's3',
    operation,
    async ({ request, requestId }) => {
      const target = targetOf(request, region)
      const name = target.bucket ?? ''
      switch (operationOf(request, target)) {
        case 'ListBuckets':
          return xml(listBucketsXml([...state.buckets.values()], accountId, region, target.query))
        case 'CreateBucket': {
          if (!validBucketName(name)) {
            throw new AwsFault(400, 'InvalidBucketName', 'The specified bucket is not valid.', { fields: { BucketName: name } })
          }
          const body = await request.text()
          const constraint = body ? childText(parseXml(body), 'LocationConstraint') : undefined
          // Outside us-east-1 the constraint must name the endpoint's region (API_CreateBucket.html, LocationConstraint).
          if (region === 'us-east-1' ? constraint !== undefined && constraint !== '' : constraint !== region) {
            throw new AwsFault(
              400,
              'IllegalLocationConstraintException',
              `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
            )
          }
          const owner = state.buckets.get(name)?.owner
          if (owner !== undefined && owner !== accountId) {
            throw new AwsFault(
              409,
              'BucketAlreadyExists',
              'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
              { fields: { BucketName: name } },
            )
          }
          if (state.buckets.has(name)) {
            throw new AwsFault(
              409,
              'BucketAlreadyOwnedByYou',
              'Your previous request to create the named bucket succeeded and you already own it.',
              { fields: { BucketName: name } },
            )
          }
          state.buckets.set(name, newBucket(name))
          return empty(200, { location: `/${name}` })
        }
        case 'HeadBucket':
          bucketOf(name)
          return empty(200, { 'x-amz-bucket-region': region })
        case 'DeleteBucket': {
          const bucket = bucketOf(name)
          if (bucket.objects.size > 0) {
            throw new AwsFault(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
              fields: { BucketName: name },
            })
          }
          state.buckets.delete(name)
          return empty(204)
        }
        case 'GetBucketTagging': {
          const { tags } = bucketOf(name)
          if (!tags) throw new AwsFault(404, 'NoSuchTagSet', 'The TagSet does not exist', { fields: { BucketName: name } })
          const set = tags.map((tag) => `<Tag><Key>${xmlEscape(tag.Key)}</Key><Value>${xmlEscape(tag.Value)}</Value></Tag>`)
          return xml(`<Tagging xmlns="${S3_NS}"><TagSet>${set.join('')}</TagSet></Tagging>`)
        }
        case 'PutBucketTagging': {
          const bucket = bucketOf(name)
          bucket.tags = tagsOf(await request.text())
          return empty(204)
        }
        case 'DeleteBucketTagging':
          bucketOf(name).tags = undefined
          return empty(204)
        case 'ListObjectsV2':
          return xml(listObjectsXml(bucketOf(name), target.query))
        case 'GetBucketNotificationConfiguration': {
          const bucket = bucketOf(name)
          return xml(notificationsXml(bucket.notifications, bucket.eventBridge).replace(/^<\?xml[^>]*\?>\n/, ''))
        }
        case 'PutBucketNotificationConfiguration': {
          const bucket = bucketOf(name)
          const { entries, eventBridge } = parseNotifications(await request.text())
          // The whole configuration is replaced, or nothing changes.
          checkNotifications(state, name, entries, request.headers.get('x-amz-skip-destination-validation') === 'true')
          bucket.notifications = entries
          bucket.eventBridge = eventBridge
          return empty(200)
        }
        case 'PutObject': {
          const bucket = bucketOf(name)
          const bytes = new Uint8Array(await request.arrayBuffer())
          const sent = request.headers.get('x-amz-checksum-crc32')
          const computed = Buffer.alloc(4)
          computed.writeUInt32BE(crc32(bytes))
          if (sent !== null && sent !== computed.toString('base64')) {
            throw new AwsFault(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.')
          }
          // A single-part upload's ETag is the MD5 of its bytes (API_Object.html, "ETag").
          const object = { bytes, etag: createHash('md5').update(bytes).digest('hex'), lastModified: new Date().toISOString() }
          bucket.objects.set(target.key, object)
          notify({ bucket, key: target.key, eventName: 'ObjectCreated:Put', object, requestId })
          return empty(200, { etag: `"${object.etag}"`, ...(sent === null ? {} : { 'x-amz-checksum-crc32': sent }) })
        }
        case 'GetObject':
        case 'HeadObject': {
          const object = bucketOf(name).objects.get(target.key)
          if (!object) throw new AwsFault(404, 'NoSuchKey', 'The specified key does not exist.', { fields: { Key: target.key } })
          const headers = {
            etag: `"${object.etag}"`,
            'content-length': String(object.bytes.byteLength),
            'last-modified': new Date(object.lastModified).toUTCString(),
            'content-type': 'application/octet-stream',
          }
          return new HttpResponse(request.method === 'HEAD' ? null : object.bytes, { status: 200, headers })
        }
        case 'DeleteObject': {
          const bucket = bucketOf(name)
          // Deleting a key that is not there succeeds too; only a real removal is reported here (see docs/FIDELITY.md).
          if (bucket.objects.delete(target.key)) {
            notify({ bucket, key: target.key, eventName: 'ObjectRemoved:Delete', object: undefined, requestId })
          }
          return empty(204)
        }
        default:
          throw new AwsFault(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented')
      }
    },
    pathStyleLine,
  )
  const hosts = new RegExp(`^https://(?:[a-z0-9.-]+\\.)?s3\\.${region}\\.amazonaws\\.com/`)
  return [
    http.all(hosts, async (info) => {
      const response = await handle(info)
      // A HEAD answer has no body, so the SDK names its errors by status (NotFound, Forbidden).
      if (info.request.method !== 'HEAD' || response.status < 300) return response
      return new HttpResponse(null, { status: response.status, headers: response.headers })
    }),
  ]
}
