/**
 * ARM as the REST specs (Azure/azure-rest-api-specs) describe it: api-versions
 * per namespace, listKeys' KeyPermission enum, a storage account 'Creating'
 * until its operation ends, a site PUT answered 202 and run as an operation.
 */
import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it } from 'vitest'
import { echo } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { KIT_SCOPE, kitPerTest, SUBSCRIPTION } from '../__fixtures__/test-kit.ts'
import { appName, storageAccountName } from '../names.ts'
import { type AzureEmulator, createAzureEmulator } from './index.ts'

const ARM = `https://management.azure.com/subscriptions/${SUBSCRIPTION}/resourceGroups/rg`
const auth = { authorization: 'Bearer test-token', 'content-type': 'application/json' }
const WEB = 'api-version=2025-05-01'
const STORAGE = 'api-version=2025-08-01'
const RESOURCES = 'api-version=2025-04-01'

let emulator: AzureEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})
const startKit = kitPerTest()

function start(): AzureEmulator {
  emulator = createAzureEmulator({ lroPolls: 1 })
  emulator.listen()
  return emulator
}

const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: auth, body: JSON.stringify(body) })
const post = (url: string) => fetch(url, { method: 'POST', headers: auth })
const get = (url: string) => fetch(url, { headers: auth })

describe('ARM as the REST specs describe it', () => {
  it('accepts the api-versions each namespace publishes and refuses others as ARM does', async () => {
    start()
    expect((await put(`${ARM}?${RESOURCES}`, { location: 'westeurope' })).status).toBe(201)
    const group = await get(`${ARM}?api-version=1999-01-01`)
    expect(group.status).toBe(400)
    expect(await group.json()).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } })
    const site = await get(`${ARM}/providers/Microsoft.Web/sites/app?api-version=1999-01-01`)
    expect(site.status).toBe(400)
    expect(await site.json()).toMatchObject({
      error: { code: 'NoRegisteredProviderFound', message: expect.stringContaining("API version '1999-01-01' for type 'sites'") },
    })
    // A storage version is not a Web version.
    expect((await get(`${ARM}/providers/Microsoft.Web/sites/app?${STORAGE}`)).status).toBe(400)
    expect((await get(`${ARM}/providers/Microsoft.Web/sites/app?${WEB}`)).status).toBe(404)
    // Tags of a site are Microsoft.Resources: the last provider in the path decides.
    const tags = await fetch(`${ARM}/providers/Microsoft.Web/sites/app/providers/Microsoft.Resources/tags/default?${WEB}`, {
      method: 'PATCH',
      headers: auth,
      body: '{}',
    })
    expect(await tags.json()).toMatchObject({ error: { code: 'InvalidApiVersionParameter' } })
  })

  it("shows a new storage account 'Creating' until its operation ends, and lists keys with the spec's permissions", async () => {
    const { state } = start()
    await put(`${ARM}?${RESOURCES}`, { location: 'westeurope' })
    const account = `${ARM}/providers/Microsoft.Storage/storageAccounts/acct1`
    const created = await put(`${account}?${STORAGE}`, {
      location: 'westeurope',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
    })
    expect(created.status).toBe(202)
    expect(await (await get(`${account}?${STORAGE}`)).json()).toMatchObject({ properties: { provisioningState: 'Creating' } })
    const early = await put(`${account}/blobServices/default/containers/cont1?${STORAGE}`, {})
    expect(early.status).toBe(409)
    expect(await early.json()).toMatchObject({ error: { code: 'StorageAccountIsNotProvisioned' } })
    const location = created.headers.get('location') ?? ''
    expect((await get(location)).status).toBe(202)
    expect((await get(location)).status).toBe(200)
    expect(await (await get(`${account}?${STORAGE}`)).json()).toMatchObject({ properties: { provisioningState: 'Succeeded' } })
    expect((await put(`${account}/blobServices/default/containers/cont1?${STORAGE}`, {})).status).toBe(201)
    const keys = (await (await post(`${account}/listKeys?${STORAGE}`)).json()) as { keys: Array<Record<string, string>> }
    const stored = state.storageAccount('acct1')
    expect(keys.keys.map(({ keyName, value, permissions }) => ({ keyName, value, permissions }))).toEqual([
      { keyName: 'key1', value: stored?.keys[0], permissions: 'Full' },
      { keyName: 'key2', value: stored?.keys[1], permissions: 'Full' },
    ])
    expect(Number.isNaN(Date.parse(keys.keys[0]?.creationTime ?? ''))).toBe(false)
  })
})

describe('the provider against the specs', () => {
  it('answers a site PUT 202 with Azure-AsyncOperation, which the deploy polls to the end', async () => {
    const kit = startKit()
    const statuses: Array<[number, boolean]> = []
    kit.server.events.on('response:mocked', ({ request, response }) => {
      if (request.method === 'PUT' && /\/Microsoft\.Web\/sites\/[^/]+$/i.test(new URL(request.url).pathname)) {
        statuses.push([response.status, response.headers.has('azure-asyncoperation')])
      }
    })
    await kit.cloud.deploy(echo)
    await kit.cloud.deploy(withOverrides(echo, { timeoutSec: 30 }))
    expect(statuses).toEqual([
      [202, true],
      [202, true],
    ])
  })

  it('uses a key with Full permissions for the connection string', async () => {
    const kit = startKit()
    kit.server.use(
      http.post(/\/storageAccounts\/[^/]+\/listKeys$/i, () =>
        HttpResponse.json({
          keys: [
            { keyName: 'key1', value: 'cmVhZC1vbmx5', permissions: 'Read' },
            { keyName: 'key2', value: 'ZnVsbA==', permissions: 'Full' },
          ],
        }),
      ),
    )
    await kit.cloud.deploy(echo)
    expect(kit.emulator.state.site(appName(KIT_SCOPE, 'echo'))?.appSettings.AzureWebJobsStorage).toContain('AccountKey=ZnVsbA==;')
  })

  it("waits for a storage account another deploy left 'Creating' before using it", async () => {
    const kit = startKit({ retry: { maxAttempts: 1 } })
    await kit.cloud.deploy(echo)
    const account = kit.emulator.state.storageAccount(storageAccountName(KIT_SCOPE))
    if (!account) throw new Error('no account')
    account.provisioningState = 'Creating'
    let reads = 0
    kit.server.events.on('request:start', ({ request }) => {
      if (request.method === 'GET' && /\/storageAccounts\/[^/]+$/i.test(new URL(request.url).pathname) && ++reads === 3) {
        account.provisioningState = 'Succeeded'
      }
    })
    expect((await kit.cloud.deploy(echo, { name: 'second' })).status).toBe('created')
    expect(reads).toBeGreaterThanOrEqual(3)
  })
})
