import { test } from 'vitest'
import { assertEmulatedDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createAwsEmulator } from './emulator/index.ts'
import { createAwsProvider } from './index.ts'

test('every do* method rejects an aborted signal with CancelledError and sends nothing (#17)', () =>
  assertEmulatedDoMethodsCancelled(
    createAwsEmulator({ stateDelayMs: 10, updateDelayMs: 10, region: 'eu-west-1' }),
    createAwsProvider,
  ))
