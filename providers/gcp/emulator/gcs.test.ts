import { createHash } from 'node:crypto'
import { Storage } from '@google-cloud/storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT, startEmulated } from '../__fixtures__/setup.ts'
import { crc32cBase64, objectEtag } from './gcs-wire.ts'
import { storageAuthClient } from './index.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
let storage: Storage
beforeAll(async () => {
  env = await startEmulated()
  storage = new Storage({ projectId: PROJECT, authClient: storageAuthClient() as never, retryOptions: { autoRetry: false } })
})
afterAll(() => env.emulator.close())

const bytes = new TextEncoder().encode(JSON.stringify({ hello: 'wörld' }))
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest()
/** The error the SDK raised, as its code and message. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: number; message?: string }) => ({ code: error.code, message: error.message }),
  )

describe('gcp emulator: Cloud Storage JSON API through @google-cloud/storage', () => {
  it('creates, reads, lists and deletes a bucket, with its labels and location', async () => {
    const [bucket] = await storage.createBucket('sdk-bucket', { labels: { owner: 'me' }, location: 'EUROPE-WEST1' })
    const [metadata] = await bucket.getMetadata()
    expect(metadata).toMatchObject({
      name: 'sdk-bucket',
      labels: { owner: 'me' },
      location: 'EUROPE-WEST1',
      locationType: 'region',
    })
    expect((await storage.getBuckets())[0].map((found) => found.name)).toContain('sdk-bucket')
    expect(await failure(storage.createBucket('sdk-bucket'))).toMatchObject({ code: 409 })
    await bucket.delete()
    expect(await failure(bucket.getMetadata())).toEqual({ code: 404, message: 'The specified bucket does not exist.' })
  })

  it('stores objects from multipart, resumable and media uploads with the hashes, size and generation GCS reports', async () => {
    const [bucket] = await storage.createBucket('sdk-objects')
    await bucket.file('in/multipart.json').save(Buffer.from(bytes), { resumable: false, contentType: 'application/json' })
    await bucket.file('in/resumable.json').save(Buffer.from(bytes), { resumable: true })
    const [metadata] = await bucket.file('in/multipart.json').getMetadata()
    expect(metadata).toMatchObject({
      name: 'in/multipart.json',
      bucket: 'sdk-objects',
      contentType: 'application/json',
      size: String(bytes.byteLength),
      md5Hash: md5(bytes).toString('base64'),
      crc32c: crc32cBase64(bytes),
      etag: objectEtag(metadata.generation as string, 1),
    })
    expect(metadata.generation).toMatch(/^\d{16}$/)
    const [downloaded] = await bucket.file('in/resumable.json').download()
    expect(new Uint8Array(downloaded)).toEqual(bytes)
    expect((await bucket.getFiles({ prefix: 'in/' }))[0].map((file) => file.name)).toEqual([
      'in/multipart.json',
      'in/resumable.json',
    ])
    const media = await fetch('https://storage.googleapis.com/upload/storage/v1/b/sdk-objects/o?uploadType=media&name=raw.bin', {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(await media.json()).toMatchObject({
      name: 'raw.bin',
      size: String(bytes.byteLength),
      md5Hash: md5(bytes).toString('base64'),
    })
  })

  it('refuses to delete a bucket that holds objects (409), and deletes objects', async () => {
    const [bucket] = await storage.createBucket('sdk-full')
    await bucket.file('kept.txt').save('kept', { resumable: false })
    expect(await failure(bucket.delete())).toEqual({ code: 409, message: 'The bucket you tried to delete is not empty.' })
    await bucket.file('kept.txt').delete()
    expect(await failure(bucket.file('kept.txt').delete())).toEqual({ code: 404, message: 'No such object: sdk-full/kept.txt' })
    await bucket.delete()
  })

  it('refuses names Cloud Storage refuses and callers without credentials', async () => {
    expect(await failure(storage.createBucket('Upper'))).toEqual({ code: 400, message: "Invalid bucket name: 'Upper'" })
    expect(await failure(storage.createBucket('goog-photos'))).toMatchObject({ code: 400 })
    const anonymous = await fetch(`https://storage.googleapis.com/storage/v1/b?project=${PROJECT}`)
    expect(anonymous.status).toBe(401)
    expect(((await anonymous.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]?.reason).toBe(
      'required',
    )
  })

  it('computes CRC32C as Castagnoli (the RFC 3720 check value of "123456789")', () => {
    expect(Buffer.from(crc32cBase64(new TextEncoder().encode('123456789')), 'base64').toString('hex')).toBe('e3069283')
  })
})
