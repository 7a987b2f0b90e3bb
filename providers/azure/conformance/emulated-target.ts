import { createInboxes } from '../../../conformance/inbox.ts'
import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { createCloud } from '../../../src/client.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { createAzureEmulator, emulatorCredential } from '../emulator/index.ts'
import { createAzureProvider } from '../index.ts'
import { appName } from '../names.ts'
import { azureForeignQueues } from './foreign-queues.ts'
import { azurePlatformFaults } from './platform-faults.ts'

/**
 * The Azure provider against the Azure emulator, through the real ARM SDKs.
 * The probe reads the emulator's state: the apps it holds (by their cloudfn
 * tag), the executions its function hosts started, the requests it got and
 * the poison queues its queue listeners filled.
 */
export function azureEmulatedTarget(): ConformanceTarget {
  return {
    name: 'azure-emulated',
    async setup() {
      // Schedules run on a clock the scenarios move; it starts off any 5-minute boundary.
      const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))
      const emulator = createAzureEmulator({ clock, queueRetryDelayMs: 5 })
      emulator.listen()
      const inboxes = createInboxes()
      const { state } = emulator
      const scope = { subscriptionId: '00000000-0000-4000-8000-000000000000', resourceGroup: 'cloudfn-conformance' }
      const provider = createAzureProvider({
        ...scope,
        location: 'westeurope',
        credential: emulatorCredential(),
        pollIntervalMs: 5,
      })
      return {
        cloud: createCloud(provider, { retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } }),
        probe: {
          exists: async (name) => state.siteForFunction(name) !== undefined,
          // By the app's name, which outlives the app: executions before a remove still count after it.
          executions: async (name) => state.executions.get(appName(scope, name)) ?? 0,
          requestCount: async () => state.requestCount,
          functionNames: async () => [...state.sites.values()].map((site) => site.tags['cloudfn:name'] ?? site.name),
          deadLetters: async (name) => emulator.poisonMessages(name),
        },
        clock,
        inbox: inboxes.open,
        faults: azurePlatformFaults(emulator),
        foreignQueues: azureForeignQueues(emulator, scope.resourceGroup),
        teardown: async () => {
          await emulator.close()
          inboxes.close()
        },
      }
    },
  }
}
