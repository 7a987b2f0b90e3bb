/** Shared set-up for the Azure tests: an emulator on msw and a provider talking to it with fake credentials. */
import type { SetupServer } from 'msw/node'
import { createCloud } from '../../../src/client.ts'
import type { RetryPolicy } from '../../../src/retry.ts'
import { type AzureEmulator, type AzureEmulatorOptions, createAzureEmulator, emulatorCredential } from '../emulator/index.ts'
import { type AzureProvider, createAzureProvider } from '../index.ts'

export const SUBSCRIPTION = '00000000-0000-4000-8000-000000000000'

export interface Kit {
  emulator: AzureEmulator
  /** The msw server the emulator listens on (tests may put handlers in front of its own). */
  server: SetupServer
  provider: AzureProvider
  cloud: ReturnType<typeof createCloud>
  close(): Promise<void>
}

export function startKit(
  options: { emulator?: AzureEmulatorOptions; token?: string; retry?: Partial<RetryPolicy>; readyTimeoutMs?: number } = {},
): Kit {
  const emulator = createAzureEmulator(options.emulator)
  const server = emulator.listen()
  const provider = createAzureProvider({
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'cloudfn-tests',
    location: 'westeurope',
    credential: emulatorCredential(options.token),
    pollIntervalMs: 1,
    readyTimeoutMs: options.readyTimeoutMs ?? 5000,
  })
  const cloud = createCloud(provider, { retry: { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 4, ...options.retry } })
  return {
    emulator,
    server,
    provider,
    cloud,
    close: () => emulator.close(),
  }
}
