import { test } from 'vitest'
import { assertDoMethodsCancelled } from '../../conformance/do-methods-cancelled.ts'
import { createLocalProvider } from './index.ts'

test.each(['inline', 'worker'] as const)(
  '%s: every do* method rejects an aborted signal with CancelledError and sends nothing (#17)',
  async (isolation) => {
    const provider = createLocalProvider({ isolation })
    await assertDoMethodsCancelled(provider, () => provider.store.requestCount)
  },
)
