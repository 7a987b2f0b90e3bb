/** Queue service paths the SDK never sends but a raw client can; the rest is diffed against Azurite. */
import { afterEach, describe, expect, it } from 'vitest'
import { addStorageAccount } from '../__fixtures__/state.ts'
import { type AzureEmulator, createAzureEmulator } from './index.ts'

let emulator: AzureEmulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

describe('queue service paths', () => {
  it('answers a path that is not valid percent-encoding with 400 InvalidUri', async () => {
    emulator = createAzureEmulator()
    addStorageAccount(emulator.state)
    emulator.listen()
    const response = await fetch('https://acct.queue.core.windows.net/%E0%A4%A/messages')
    expect(response.status).toBe(400)
    expect(response.headers.get('x-ms-error-code')).toBe('InvalidUri')
  })
})
