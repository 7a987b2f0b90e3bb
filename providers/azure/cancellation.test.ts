import { test } from 'vitest'
import { assertEmulatedDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createAzureEmulator } from './emulator/index.ts'
import { createAzureProvider } from './index.ts'

test('every do* method rejects an aborted signal with CancelledError and sends nothing (#17)', () =>
  assertEmulatedDoMethodsCancelled(createAzureEmulator(), createAzureProvider, { resourceGroup: 'cloudfn-cancel' }))
