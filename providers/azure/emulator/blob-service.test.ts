import { createHash } from 'node:crypto'
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { afterEach, describe, expect, it } from 'vitest'
import { type AzureEmulator, createAzureEmulator } from './index.ts'

let emulator: AzureEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const ACCOUNT = 'cloudfnblobtest'

/** An emulator holding one storage account, and the official client signed with its key. */
function start(): { emulator: AzureEmulator; client: BlobServiceClient } {
  emulator = createAzureEmulator()
  emulator.listen()
  const key = Buffer.from('emulated-account-key').toString('base64')
  emulator.state.storageAccounts.set(`rg/${ACCOUNT}`, {
    name: ACCOUNT,
    resourceGroup: 'rg',
    location: 'westeurope',
    keys: [key, key],
    containers: new Set(),
    queues: new Map(),
    tags: {},
  })
  const client = new BlobServiceClient(`https://${ACCOUNT}.blob.core.windows.net`, new StorageSharedKeyCredential(ACCOUNT, key), {
    retryOptions: { maxTries: 1 },
  })
  return { emulator, client }
}

describe('the Blob service data plane, driven by @azure/storage-blob', () => {
  it('creates containers, puts, lists, reads and deletes blobs, with the content MD5 the service computes', async () => {
    const { client, emulator } = start()
    const photos = client.getContainerClient('photos')
    await photos.create({ metadata: { owner: 'me' } })
    expect((await photos.getProperties()).metadata).toEqual({ owner: 'me' })
    const bytes = new TextEncoder().encode(JSON.stringify({ hello: 'wörld' }))
    await photos.getBlockBlobClient('in/a.json').uploadData(bytes, { blobHTTPHeaders: { blobContentType: 'application/json' } })
    await photos.getBlockBlobClient('out/b.txt').uploadData(new TextEncoder().encode('b'))
    const listed: string[] = []
    for await (const blob of photos.listBlobsFlat({ prefix: 'in/' })) listed.push(`${blob.name}:${blob.properties.contentLength}`)
    expect(listed).toEqual([`in/a.json:${bytes.byteLength}`])
    const properties = await photos.getBlobClient('in/a.json').getProperties()
    expect(Buffer.from(properties.contentMD5 ?? new Uint8Array()).toString('hex')).toBe(
      createHash('md5').update(bytes).digest('hex'),
    )
    expect(properties.contentType).toBe('application/json')
    expect(Buffer.from(await photos.getBlobClient('in/a.json').downloadToBuffer()).toString()).toBe('{"hello":"wörld"}')
    const containers: string[] = []
    for await (const container of client.listContainers()) containers.push(container.name)
    expect(containers).toEqual(['photos'])

    const changes: string[] = []
    emulator.state.blobs.onChange((change) => changes.push(`${change.kind} ${change.container}/${change.blob}`))
    await photos.deleteBlob('in/a.json')
    expect(changes).toEqual(['deleted photos/in/a.json'])
    const missing = await photos
      .getBlobClient('in/a.json')
      .getProperties()
      .catch((error: unknown) => error)
    expect((missing as { statusCode?: number }).statusCode).toBe(404)
    const again = await photos.create().catch((error: unknown) => error)
    expect((again as { code?: string }).code).toBe('ContainerAlreadyExists')
    await photos.delete()
    const gone = await client
      .getContainerClient('photos')
      .getBlockBlobClient('x')
      .uploadData(new Uint8Array([1]))
      .catch((error: unknown) => error)
    expect((gone as { code?: string }).code).toBe('ContainerNotFound')
  })

  it('refuses a request signed with another key, and a container name the service refuses', async () => {
    const { client } = start()
    const wrong = new BlobServiceClient(
      `https://${ACCOUNT}.blob.core.windows.net`,
      new StorageSharedKeyCredential(ACCOUNT, Buffer.from('not-the-key').toString('base64')),
      { retryOptions: { maxTries: 1 } },
    )
    const refused = await wrong
      .getContainerClient('photos')
      .create()
      .catch((error: unknown) => error)
    expect([(refused as { statusCode?: number }).statusCode, (refused as { code?: string }).code]).toEqual([
      403,
      'AuthenticationFailed',
    ])
    const bad = await client
      .getContainerClient('my--photos')
      .create()
      .catch((error: unknown) => error)
    expect((bad as { code?: string }).code).toBe('InvalidResourceName')
  })
})
