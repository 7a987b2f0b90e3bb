import { createInboxes } from '../../../conformance/inbox.ts'
import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { createCloud } from '../../../src/client.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { createGcpEmulator, emulatorAuthClient } from '../emulator/index.ts'
import { createGcpProvider } from '../index.ts'
import { gcpPlatformFaults } from './platform-faults.ts'

/**
 * The GCP provider and the real `@google-cloud/functions` client against the
 * msw model of Cloud Functions; the probe reads the emulator's state.
 */
export function gcpEmulatedTarget(): ConformanceTarget {
  return {
    name: 'gcp-emulated',
    async setup() {
      // Schedules run on a clock the scenarios move; it starts off any 5-minute boundary.
      const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))
      // Pub/Sub retries a failed push after milliseconds instead of its 10 s minimum backoff.
      const emulator = createGcpEmulator({ operationDelayMs: 10, clock, queueRetryDelayMs: 5 })
      emulator.listen()
      const inboxes = createInboxes()
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
          deadLetters: async (name) => emulator.deadLetters(name),
          topicNames: async () => [...emulator.pubsub.topics.keys()].map((topic) => topic.split('/').pop() ?? ''),
        },
        clock,
        inbox: inboxes.open,
        faults: gcpPlatformFaults(emulator),
        teardown: async () => {
          await emulator.close()
          inboxes.close()
        },
      }
    },
  }
}
