/**
 * The emulator's ARM queue operations through the real `@azure/arm-storage`
 * client, against the Queue operations of
 * Azure/azure-rest-api-specs specification/storage/.../2024-01-01/queue.json.
 */
import { StorageManagementClient } from '@azure/arm-storage'
import { afterEach, describe, expect, it } from 'vitest'
import { type AzureEmulator, createAzureEmulator, emulatorCredential } from './index.ts'

const SUBSCRIPTION = '00000000-0000-4000-8000-000000000000'
const ARM = `https://management.azure.com/subscriptions/${SUBSCRIPTION}/resourceGroups/rg`
const auth = { authorization: 'Bearer test-token', 'content-type': 'application/json' }

let emulator: AzureEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

async function start(): Promise<StorageManagementClient> {
  emulator = createAzureEmulator()
  emulator.listen()
  const group = await fetch(`${ARM}?api-version=2025-04-01`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({ location: 'westeurope' }),
  })
  expect(group.ok).toBe(true)
  const client = new StorageManagementClient(emulatorCredential(), SUBSCRIPTION, { retryOptions: { maxRetries: 0 } })
  await client.storageAccounts.beginCreateAndWait(
    'rg',
    'cloudfnarmq',
    { location: 'westeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS' } },
    { updateIntervalInMs: 1 },
  )
  return client
}

const statusOf = async (call: Promise<unknown>) => {
  try {
    await call
    return 'ok'
  } catch (error) {
    return (error as { statusCode?: number }).statusCode
  }
}

describe('ARM storage queues', () => {
  it('lists by name prefix in pages the SDK follows through nextLink', async () => {
    const client = await start()
    for (const name of ['jobs-c', 'jobs-a', 'other', 'jobs-b']) {
      await client.queue.create('rg', 'cloudfnarmq', name, { metadata: { name } })
    }
    const names: string[] = []
    for await (const page of client.queue.list('rg', 'cloudfnarmq', { maxpagesize: '2', filter: 'jobs-' }).byPage()) {
      expect(page.length).toBeLessThanOrEqual(2)
      names.push(...page.map((queue) => queue.name ?? ''))
    }
    expect(names).toEqual(['jobs-a', 'jobs-b', 'jobs-c'])
    const all: unknown[] = []
    for await (const queue of client.queue.list('rg', 'cloudfnarmq')) all.push(queue)
    expect(all).toContainEqual(expect.objectContaining({ name: 'other', metadata: { name: 'other' } }))
  })

  it('updates the metadata of an existing queue with PATCH and refuses a missing one', async () => {
    const client = await start()
    await client.queue.create('rg', 'cloudfnarmq', 'jobs', { metadata: { a: '1' } })
    expect((await client.queue.update('rg', 'cloudfnarmq', 'jobs', { metadata: { b: '2' } })).metadata).toEqual({ b: '2' })
    expect((await client.queue.get('rg', 'cloudfnarmq', 'jobs')).metadata).toEqual({ b: '2' })
    expect(await statusOf(client.queue.update('rg', 'cloudfnarmq', 'missing', { metadata: {} }))).toBe(404)
  })

  it("checks the spec's queue name pattern on every operation", async () => {
    const client = await start()
    expect(await statusOf(client.queue.get('rg', 'cloudfnarmq', 'a--b'))).toBe(400)
    expect(await statusOf(client.queue.delete('rg', 'cloudfnarmq', 'ab'))).toBe(400)
    expect(await statusOf(client.queue.create('rg', 'cloudfnarmq', 'Jobs', {}))).toBe(400)
  })
})
