import { createAzureEmulator, emulatorCredential } from '../../providers/azure/emulator/index.ts'
import { createAzureProvider } from '../../providers/azure/index.ts'
import { createCloud } from '../../src/client.ts'
import type { ConformanceTarget } from '../scenario.ts'

/**
 * The Azure provider against the Azure emulator, through the real ARM SDKs.
 * The probe reads the emulator's state: the apps it holds (by their cloudfn
 * tag), the executions its function hosts started and the requests it got.
 */
export function azureEmulatedTarget(): ConformanceTarget {
  return {
    name: 'azure-emulated',
    async setup() {
      const emulator = createAzureEmulator()
      emulator.listen()
      const { state } = emulator
      const provider = createAzureProvider({
        subscriptionId: '00000000-0000-4000-8000-000000000000',
        resourceGroup: 'cloudfn-conformance',
        location: 'westeurope',
        credential: emulatorCredential(),
        pollIntervalMs: 5,
      })
      return {
        cloud: createCloud(provider, { retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } }),
        probe: {
          exists: async (name) => state.siteForFunction(name) !== undefined,
          executions: async (name) => {
            const site = state.siteForFunction(name)
            return site ? (state.executions.get(site.name) ?? 0) : 0
          },
          requestCount: async () => state.requestCount,
          functionNames: async () => [...state.sites.values()].map((site) => site.tags['cloudfn:name'] ?? site.name),
        },
        teardown: () => emulator.close(),
      }
    },
  }
}
