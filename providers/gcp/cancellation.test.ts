import { test } from 'vitest'
import { assertEmulatedDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createGcpEmulator } from './emulator/index.ts'
import { createGcpProvider } from './index.ts'

test('every do* method rejects an aborted signal with CancelledError and sends nothing (#17)', () =>
  assertEmulatedDoMethodsCancelled(createGcpEmulator({ operationDelayMs: 10 }), createGcpProvider, { project: 'cloudfn-cancel' }))
