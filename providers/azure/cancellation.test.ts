import { afterAll, beforeAll, test } from 'vitest'
import { assertDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createAzureEmulator, emulatorCredential } from './emulator/index.ts'
import { createAzureProvider } from './index.ts'

const emulator = createAzureEmulator({})
beforeAll(() => emulator.listen())
afterAll(() => emulator.close())

test('every do* method rejects an aborted signal with CancelledError and sends nothing (#17)', async () => {
  const provider = createAzureProvider({
    subscriptionId: '00000000-0000-4000-8000-000000000000',
    resourceGroup: 'cloudfn-cancel',
    location: 'westeurope',
    credential: emulatorCredential(),
    pollIntervalMs: 5,
  })
  await assertDoMethodsCancelled(provider, () => emulator.state.requestCount)
})
