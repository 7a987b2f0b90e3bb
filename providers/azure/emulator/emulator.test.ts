import { afterEach, describe, expect, it } from 'vitest'
import { siteState } from '../__fixtures__/state.ts'
import { type AzureEmulator, createAzureEmulator } from './index.ts'

const ARM = 'https://management.azure.com/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg'
const VERSION = 'api-version=2024-11-01'
const auth = { authorization: 'Bearer test-token', 'content-type': 'application/json' }

let emulator: AzureEmulator | undefined
afterEach(async () => {
  await emulator?.close()
})

function start(options?: Parameters<typeof createAzureEmulator>[0]): AzureEmulator {
  emulator = createAzureEmulator(options)
  emulator.listen()
  return emulator
}

const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: auth, body: JSON.stringify(body) })

describe('azure emulator wire', () => {
  it('fails requests no handler owns instead of reaching the network', async () => {
    start()
    // A rejected fetch, never an answer a client could take for the cloud's (not even msw's own 500).
    const outcome = await fetch('https://example.com/').then(
      (response) => `${response.status} ${response.statusText}`,
      () => 'rejected',
    )
    expect(outcome).toBe('rejected')
  })

  it('answers ARM errors as { error: { code, message } } and requires a bearer token', async () => {
    start()
    const anonymous = await fetch(`${ARM}?${VERSION}`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ error: { code: 'AuthenticationFailed' } })
    const missing = await fetch(`${ARM}/providers/Microsoft.Web/sites/nope?${VERSION}`, { headers: auth })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: { code: 'ResourceGroupNotFound' } })
    const noVersion = await fetch(`${ARM}`, { headers: auth })
    expect(await noVersion.json()).toMatchObject({ error: { code: 'MissingApiVersionParameter' } })
  })

  it('counts writes: not GET, nor a POST to an ARM list action', async () => {
    const { state } = start()
    await fetch(`${ARM}/providers/Microsoft.Web/sites/nope?${VERSION}`, { headers: auth })
    await fetch(`${ARM}/providers/Microsoft.Web/sites/nope/host/default/listkeys?${VERSION}`, { method: 'POST', headers: auth })
    expect(state.writeCount).toBe(0)
    await put(`${ARM}?${VERSION}`, { location: 'westeurope' })
    expect(state.writeCount).toBe(1)
  })

  it('runs plan creation as a long-running operation with Location and Retry-After', async () => {
    const { state } = start({ lroPolls: 2, lroRetryAfterSec: 3 })
    expect((await put(`${ARM}?${VERSION}`, { location: 'westeurope' })).status).toBe(201)
    const first = await put(`${ARM}/providers/Microsoft.Web/serverfarms/plan?${VERSION}`, {
      location: 'westeurope',
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    })
    expect(first.status).toBe(202)
    expect(first.headers.get('retry-after')).toBe('3')
    const location = first.headers.get('location') ?? ''
    expect(state.plans.size).toBe(0)
    expect((await fetch(location, { headers: auth })).status).toBe(202)
    expect((await fetch(location, { headers: auth })).status).toBe(202)
    const done = await fetch(location, { headers: auth })
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({ name: 'plan', sku: { name: 'FC1' }, properties: { reserved: true } })
    expect(state.plans.size).toBe(1)
    const windows = await put(`${ARM}/providers/Microsoft.Web/serverfarms/win?${VERSION}`, {
      location: 'x',
      sku: { name: 'FC1' },
    })
    expect(windows.status).toBe(400)
  })

  it('injects throttling with Retry-After, errors and resets, each for the requests it names', async () => {
    const { faults, state } = start()
    faults.inject({ on: 'arm', kind: 'throttle', retryAfterSec: 7, times: 2 })
    faults.inject({ on: 'host', kind: 'reset' })
    for (let index = 0; index < 2; index++) {
      const throttled = await fetch(`${ARM}?${VERSION}`, { headers: auth })
      expect(throttled.status).toBe(429)
      expect(throttled.headers.get('retry-after')).toBe('7')
    }
    expect((await fetch(`${ARM}?${VERSION}`, { headers: auth })).status).toBe(404)
    await expect(fetch('https://app.azurewebsites.net/api/cloudfn', { method: 'POST' })).rejects.toThrow()
    expect(state.requestCount).toBe(4)
  })

  it('serves 404 for unknown apps and 401 for calls without a valid key', async () => {
    const { state } = start()
    const unknown = await fetch('https://missing-app.azurewebsites.net/api/cloudfn', { method: 'POST', body: '1' })
    expect(unknown.status).toBe(404)
    state.sites.set(
      'app',
      siteState({
        masterKey: 'm',
        hostKey: 'h',
        functionKeys: new Map([['cloudfn', { default: 'k' }]]),
        app: { directory: '/nowhere', entryFile: '/nowhere/index.mjs', routePrefix: 'api', functions: [], functionErrors: {} },
        listedFunctions: [{ kind: 'http', name: 'cloudfn', route: 'cloudfn', methods: ['POST'], authLevel: 'function' }],
      }),
    )
    const noKey = await fetch('https://app.azurewebsites.net/api/cloudfn', { method: 'POST', body: '1' })
    expect(noKey.status).toBe(401)
    const wrongKey = await fetch('https://app.azurewebsites.net/api/cloudfn?code=nope', { method: 'POST', body: '1' })
    expect(wrongKey.status).toBe(401)
    const wrongMethod = await fetch('https://app.azurewebsites.net/api/cloudfn', {
      method: 'GET',
      headers: { 'x-functions-key': 'k' },
    })
    expect(wrongMethod.status).toBe(404)
    expect(state.executions.size).toBe(0)
  })
})
