import { createInboxes } from '../../../conformance/inbox.ts'
import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { createCloud } from '../../../src/client.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { type AwsEmulatorOptions, createAwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'
import { createAwsProvider } from '../index.ts'
import { awsForeignQueues } from './foreign-queues.ts'
import { awsPlatformFaults } from './platform-faults.ts'

/**
 * The AWS provider against the AWS emulator (msw at Lambda's real hostnames,
 * uploaded zips really run, each instance a child process). The probe reads the
 * emulator's own state, not the API under test.
 */
export function awsEmulatedTarget(options: AwsEmulatorOptions = {}): ConformanceTarget {
  return {
    name: 'aws-emulated',
    async setup() {
      const region = options.region ?? 'eu-west-1'
      // Schedules run on a clock the scenarios move; it starts off any 5-minute boundary.
      // A queue's name is free again 20 ms after it is deleted, not 60 s, so remove-then-deploy scenarios stay quick.
      const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))
      const emulator = createAwsEmulator({
        stateDelayMs: 10,
        updateDelayMs: 10,
        queueRetryDelayMs: 5,
        queueDeletedWindowMs: 20,
        clock,
        ...options,
        region,
      })
      emulator.listen()
      const inboxes = createInboxes()
      const { state } = emulator
      const provider = createAwsProvider({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 5 })
      return {
        // Fast retries keep throttling scenarios quick; the policy itself is tested elsewhere.
        cloud: createCloud(provider, { retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } }),
        probe: {
          exists: async (name) => state.functions.has(name),
          executions: async (name) => state.executions.get(name) ?? 0,
          requestCount: async () => state.requestCount,
          functionNames: async () => [...state.functions.keys()],
          deadLetters: async (name) => state.deadLetters(name) ?? [],
        },
        clock,
        inbox: inboxes.open,
        faults: awsPlatformFaults(emulator),
        foreignQueues: awsForeignQueues(emulator, region),
        teardown: async () => {
          await emulator.close()
          inboxes.close()
        },
      }
    },
  }
}
