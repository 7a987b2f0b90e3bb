/**
 * The emulator's Blob service held against Microsoft's Azurite (the `azurite`
 * devDependency, its blob server started in-process on loopback): the same
 * `@azure/storage-blob` calls, the ones cloudfn's storage trigger and the
 * conformance ObjectStore make, run against both, and each step's outcome
 * (status, error code, first line of the message, the fields the SDK
 * returns) must match, except the differences listed in KNOWN_DIFFERENCES
 * and docs/FIDELITY.md ("Blob service"). As queue-service.azurite.test.ts.
 */
import { createRequire } from 'node:module'
import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { http, passthrough } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AzureEmulator, createAzureEmulator } from './index.ts'
import { key } from './state.ts'

interface AzuriteServer {
  start(): Promise<void>
  close(): Promise<void>
  getHttpServerAddress(): string
}

/** Azurite ships CommonJS without types; its blob server is constructed as its own CLI does. */
function azuriteModules() {
  const require = createRequire(import.meta.url)
  return {
    BlobServer: require('azurite/dist/src/blob/BlobServer.js').default as new (configuration: unknown) => AzuriteServer,
    BlobConfiguration: require('azurite/dist/src/blob/BlobConfiguration.js').default as new (...args: unknown[]) => unknown,
  }
}

/** Azurite's well-known development account. */
const AZURITE_ACCOUNT = 'devstoreaccount1'
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const EMULATOR_ACCOUNT = 'cloudfnblobdiff'
const EMULATOR_KEY = Buffer.from('emulator-account-key-for-the-blob-differential-test').toString('base64')
const WRONG_KEY = Buffer.from('not-the-account-key').toString('base64')

interface Target {
  service: BlobServiceClient
  /** The same account signed with a key it does not have. */
  wrongKey: BlobServiceClient
  /** Values earlier steps left for later ones (ETags). */
  memo: Map<string, string>
}

type Outcome = Record<string, unknown>

interface Step {
  name: string
  run(target: Target): Promise<Outcome>
}

const c = (target: Target, name: string): ContainerClient => target.service.getContainerClient(name)
const bytes = (text: string) => new TextEncoder().encode(text)
/** An ETag's shape, not its value (each service makes its own): `0x` and hex digits, quoted or not. */
const etagShape = (etag: string | undefined) => {
  const shape = /^("?)0x[0-9A-F]+\1$/.exec(etag ?? '')
  return shape ? `${shape[1] ? 'quoted' : 'unquoted'} 0x hex` : String(etag)
}

/** What the SDK surfaces of a failed call: status, error code and the message's first line. */
function failure(error: unknown): Outcome {
  const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string }
  return { status: statusCode, code, message: String(message ?? '').split('\n')[0] }
}

async function outcome(step: Step, target: Target): Promise<Outcome> {
  try {
    return await step.run(target)
  } catch (error) {
    return failure(error)
  }
}

async function names(target: Target, prefix: string) {
  const found: string[] = []
  for await (const item of target.service.listContainers({ prefix })) found.push(item.name)
  return { containers: found }
}

async function blobs(target: Target, container: string, prefix?: string) {
  const found: Outcome[] = []
  for await (const item of c(target, container).listBlobsFlat({ prefix })) {
    found.push({
      name: item.name,
      size: item.properties.contentLength,
      type: item.properties.contentType,
      etag: etagShape(item.properties.etag),
    })
  }
  return { blobs: found }
}

async function put(target: Target, container: string, name: string, text: string, contentType?: string) {
  const uploaded = await c(target, container)
    .getBlockBlobClient(name)
    .uploadData(bytes(text), contentType ? { blobHTTPHeaders: { blobContentType: contentType } } : {})
  target.memo.set(`${container}/${name}`, uploaded.etag ?? '')
  return {
    status: uploaded._response.status,
    etag: etagShape(uploaded.etag),
    md5: Buffer.from(uploaded.contentMD5 ?? new Uint8Array()).toString('hex'),
  }
}

async function head(target: Target, container: string, name: string) {
  const got = await c(target, container).getBlobClient(name).getProperties()
  return {
    status: got._response.status,
    size: got.contentLength,
    type: got.contentType,
    blobType: got.blobType,
    // The ETag Put Blob answered is the one the blob has: what the storage trigger's neutral etag is compared with.
    sameEtagAsPut: got.etag === target.memo.get(`${container}/${name}`),
    md5: Buffer.from(got.contentMD5 ?? new Uint8Array()).toString('hex'),
  }
}

const step = (name: string, run: (target: Target) => Promise<Outcome>): Step => ({ name, run })

const STEPS: Step[] = [
  // Containers: create, with metadata, again, names the service refuses.
  step('create container', async (t) => ({ status: (await c(t, 'photos').create())._response.status })),
  step('create it again', async (t) => ({ status: (await c(t, 'photos').create())._response.status })),
  step('create with metadata', async (t) => ({
    status: (await c(t, 'marked').create({ metadata: { cloudfn_managed: 'true', cloudfn_bucket: 'true' } }))._response.status,
  })),
  step('metadata read back', async (t) => {
    const got = await c(t, 'marked').getProperties()
    return { status: got._response.status, metadata: got.metadata }
  }),
  step('properties of a missing container', async (t) => ({
    status: (await c(t, 'nosuchcontainer').getProperties())._response.status,
  })),
  step('exists', async (t) => ({ exists: await c(t, 'photos').exists(), missing: await c(t, 'nosuchcontainer').exists() })),
  step('name with upper case', async (t) => ({ status: (await c(t, 'Photos').create())._response.status })),
  step('name too short', async (t) => ({ status: (await c(t, 'ab').create())._response.status })),
  step('name with double hyphen', async (t) => ({ status: (await c(t, 'a--b').create())._response.status })),
  step('list containers by prefix', async (t) => names(t, 'pho')),

  // Blobs: put (ETag, Content-MD5), properties, list by prefix, overwrite, delete.
  step('put a blob', async (t) => put(t, 'photos', 'in/a.json', '{"hello":"wörld"}', 'application/json')),
  step('put another', async (t) => put(t, 'photos', 'out/b.txt', 'b')),
  step('properties of the blob', async (t) => head(t, 'photos', 'in/a.json')),
  step('list blobs by prefix', async (t) => blobs(t, 'photos', 'in/')),
  step('list every blob', async (t) => blobs(t, 'photos')),
  step('overwrite gives a new ETag', async (t) => {
    const before = t.memo.get('photos/in/a.json')
    const again = await put(t, 'photos', 'in/a.json', '{"hello":"again"}', 'application/json')
    return { ...again, changed: t.memo.get('photos/in/a.json') !== before }
  }),
  step('put into a missing container', async (t) => put(t, 'nosuchcontainer', 'x.txt', 'x')),
  step('properties of a missing blob', async (t) => head(t, 'photos', 'in/missing.json')),
  step('delete a blob', async (t) => ({ status: (await c(t, 'photos').deleteBlob('out/b.txt'))._response.status })),
  step('delete it again', async (t) => ({ status: (await c(t, 'photos').deleteBlob('out/b.txt'))._response.status })),
  step('delete from a missing container', async (t) => ({
    status: (await c(t, 'nosuchcontainer').deleteBlob('x.txt'))._response.status,
  })),
  step('list after the delete', async (t) => blobs(t, 'photos')),

  // Authorization, then deleting containers (their blobs go with them).
  step('wrong key', async (t) => ({ status: (await t.wrongKey.getContainerClient('photos').getProperties())._response.status })),
  step('delete a container', async (t) => ({ status: (await c(t, 'photos').delete())._response.status })),
  step('delete the container again', async (t) => ({ status: (await c(t, 'photos').delete())._response.status })),
  step('made again, it is empty', async (t) => {
    await c(t, 'photos').create()
    return blobs(t, 'photos')
  }),
]

/**
 * Steps where the emulator knowingly answers otherwise, each with the reason
 * (mirrored in docs/FIDELITY.md). The test checks they still differ, so the
 * list cannot go stale.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'name with upper case':
    "Azure spells it 'The specifed resource name contains invalid characters.' (answers recorded from Azure); Azurite corrects the spelling",
  'name with double hyphen':
    "Azure spells it 'The specifed resource name contains invalid characters.' (answers recorded from Azure); Azurite corrects the spelling",
  'wrong key':
    "Azure answers 403 AuthenticationFailed ('...the value of Authorization header is formed correctly...', answers recorded from Azure); Azurite's blob server answers AuthorizationFailure",
}

let azurite: AzuriteServer
let emulator: AzureEmulator
const results = new Map<string, { azurite: Outcome; emulator: Outcome }>()

function clients(url: string, account: string, accountKey: string) {
  const options = { retryOptions: { maxTries: 1 } }
  return {
    service: new BlobServiceClient(url, new StorageSharedKeyCredential(account, accountKey), options),
    wrongKey: new BlobServiceClient(url, new StorageSharedKeyCredential(account, WRONG_KEY), options),
  }
}

beforeAll(async () => {
  const { BlobServer, BlobConfiguration } = azuriteModules()
  // As the queue test: (host, port, keepAlive, metadata DB, extent DB, persistence paths, access log, log stream,
  // debug log, debug log path, loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, memory).
  // The SDK sends a service version newer than Azurite knows; the check is skipped, the rest is strict.
  const configuration = new BlobConfiguration(
    '127.0.0.1',
    0,
    undefined,
    undefined,
    undefined,
    undefined,
    false,
    undefined,
    false,
    undefined,
    false,
    true,
    '',
    '',
    '',
    undefined,
    false,
    true,
  )
  azurite = new BlobServer(configuration)
  await azurite.start()

  emulator = createAzureEmulator()
  emulator.state.storageAccounts.set(key('rg', EMULATOR_ACCOUNT), {
    name: EMULATOR_ACCOUNT,
    resourceGroup: 'rg',
    location: 'westeurope',
    keys: [EMULATOR_KEY, Buffer.from('second-key').toString('base64')],
    containers: new Set(),
    queues: new Map(),
    tags: {},
  })
  // Requests to Azurite on loopback go through; anything else unhandled still fails.
  emulator.listen().use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()))

  const azuriteTarget: Target = {
    ...clients(`${azurite.getHttpServerAddress()}/${AZURITE_ACCOUNT}`, AZURITE_ACCOUNT, AZURITE_KEY),
    memo: new Map(),
  }
  const emulatorTarget: Target = {
    ...clients(`https://${EMULATOR_ACCOUNT}.blob.core.windows.net`, EMULATOR_ACCOUNT, EMULATOR_KEY),
    memo: new Map(),
  }
  for (const each of STEPS) {
    results.set(each.name, { azurite: await outcome(each, azuriteTarget), emulator: await outcome(each, emulatorTarget) })
  }
}, 120_000)

afterAll(async () => {
  await emulator?.close()
  await azurite?.close()
})

describe('the emulated Blob service against Azurite', () => {
  it.each(STEPS.map((each) => [each.name]))('%s', (name) => {
    const result = results.get(name)
    if (!result) throw new Error(`step '${name}' did not run`)
    const reason = KNOWN_DIFFERENCES[name]
    if (reason) expect(result.emulator, reason).not.toEqual(result.azurite)
    else expect(result.emulator).toEqual(result.azurite)
  })

  it('ran steps with distinct names', () => {
    expect(new Set(STEPS.map((each) => each.name)).size).toBe(STEPS.length)
  })
})
