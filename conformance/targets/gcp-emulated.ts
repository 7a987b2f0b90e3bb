import { createGcpEmulator, emulatorAuthClient } from '../../providers/gcp/emulator/index.ts'
import { createGcpProvider } from '../../providers/gcp/index.ts'
import { createCloud } from '../../src/client.ts'
import type { ConformanceTarget } from '../scenario.ts'

/**
 * The GCP provider and the real `@google-cloud/functions` client against the
 * msw model of Cloud Functions; the probe reads the emulator's state.
 */
export function gcpEmulatedTarget(): ConformanceTarget {
  return {
    name: 'gcp-emulated',
    async setup() {
      const emulator = createGcpEmulator({ operationDelayMs: 10 })
      emulator.listen()
      const authClient = emulatorAuthClient()
      const provider = createGcpProvider({
        project: 'cloudfn-conformance',
        region: 'europe-west1',
        authClient,
        idTokenProvider: emulator.idTokenProvider,
        pollIntervalMs: 5,
      })
      const { state } = emulator
      return {
        // Fast retries keep throttling scenarios quick; the policy itself is tested elsewhere.
        cloud: createCloud(provider, { retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } }),
        probe: {
          exists: async (name) => state.byShortName(name) !== undefined,
          executions: async (name) => state.executions.get(name) ?? 0,
          requestCount: async () => state.requestCount,
          functionNames: async () => state.functionNames(),
        },
        teardown: () => emulator.close(),
      }
    },
  }
}
