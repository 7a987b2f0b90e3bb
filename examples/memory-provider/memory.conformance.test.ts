import { createCloud } from 'cloudfn'
import type { ConformanceTarget } from 'cloudfn/conformance'
import { runConformance } from 'cloudfn/conformance/vitest'
import { createMemoryProvider } from './provider.ts'

/** The example provider as a conformance target; the probe reads the provider's own state. */
const memoryTarget: ConformanceTarget = {
  name: 'memory',
  async setup() {
    const provider = createMemoryProvider()
    const { state } = provider
    return {
      cloud: createCloud(provider, { retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } }),
      probe: {
        exists: async (name) => state.deployments.has(name),
        executions: async (name) => state.executions.get(name) ?? 0,
        requestCount: async () => state.requestCount,
        functionNames: async () => [...state.deployments.keys()],
      },
      handlersInProcess: true,
      teardown: async () => {},
    }
  },
}

runConformance([memoryTarget])
