import { afterAll, beforeAll, test } from 'vitest'
import { assertDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from './emulator/index.ts'
import { createAwsProvider } from './index.ts'

const region = 'eu-west-1'
const emulator = createAwsEmulator({ stateDelayMs: 10, updateDelayMs: 10, region })
beforeAll(() => emulator.listen())
afterAll(() => emulator.close())

test('every do* method rejects an aborted signal with CancelledError and sends nothing (#17)', async () => {
  const provider = createAwsProvider({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 5 })
  await assertDoMethodsCancelled(provider, () => emulator.state.requestCount)
})
