import { afterAll, beforeAll, test } from 'vitest'
import { assertDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createGcpEmulator, emulatorAuthClient } from './emulator/index.ts'
import { createGcpProvider } from './index.ts'

const emulator = createGcpEmulator({ operationDelayMs: 10 })
beforeAll(() => emulator.listen())
afterAll(() => emulator.close())

test('every do* method rejects an aborted signal with CancelledError and sends nothing (#17)', async () => {
  const provider = createGcpProvider({
    project: 'cloudfn-cancel',
    region: 'europe-west1',
    authClient: emulatorAuthClient(),
    idTokenProvider: emulator.idTokenProvider,
    pollIntervalMs: 5,
  })
  await assertDoMethodsCancelled(provider, () => emulator.state.requestCount)
})
