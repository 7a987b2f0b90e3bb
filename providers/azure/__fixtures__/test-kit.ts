/** Shared set-up for the Azure tests: an emulator on msw and a provider talking to it with fake credentials. */
import type { SetupServer } from 'msw/node'
import { afterEach } from 'vitest'
import { createCloud } from '../../../src/client.ts'
import type { RetryPolicy } from '../../../src/retry.ts'
import { type AzureEmulator, type AzureEmulatorOptions, createAzureEmulator, emulatorCredential } from '../emulator/index.ts'
import { type AzureProvider, createAzureProvider } from '../index.ts'

export const SUBSCRIPTION = '00000000-0000-4000-8000-000000000000'
/** Where a kit's provider deploys: tests that name an app compute it from this. */
export const KIT_SCOPE = { subscriptionId: SUBSCRIPTION, resourceGroup: 'cloudfn-tests' } as const

export interface Kit {
  emulator: AzureEmulator
  /** The msw server the emulator listens on (tests may put handlers in front of its own). */
  server: SetupServer
  provider: AzureProvider
  cloud: ReturnType<typeof createCloud>
  close(): Promise<void>
}

export interface KitOptions {
  emulator?: AzureEmulatorOptions
  token?: string
  retry?: Partial<RetryPolicy>
  readyTimeoutMs?: number
}

export function startKit(options: KitOptions = {}): Kit {
  const emulator = createAzureEmulator(options.emulator)
  const server = emulator.listen()
  const provider = createAzureProvider({
    subscriptionId: KIT_SCOPE.subscriptionId,
    resourceGroup: KIT_SCOPE.resourceGroup,
    location: 'westeurope',
    credential: emulatorCredential(options.token),
    pollIntervalMs: 1,
    readyTimeoutMs: options.readyTimeoutMs ?? 5000,
  })
  let closed: Promise<void> | undefined
  const cloud = createCloud(provider, { retry: { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 4, ...options.retry } })
  return {
    emulator,
    server,
    provider,
    cloud,
    // Once: a test may close a kit itself before starting another, and kitPerTest closes it again.
    close: () => {
      closed ??= emulator.close()
      return closed
    },
  }
}

/**
 * For a test file whose tests each start their own kit: returns `startKit`,
 * and closes every kit a test started once that test ends (passed or not).
 */
export function kitPerTest(): (options?: KitOptions) => Kit {
  const started: Kit[] = []
  afterEach(async () => {
    for (const kit of started.splice(0)) await kit.close()
  })
  return (options) => {
    const kit = startKit(options)
    started.push(kit)
    return kit
  }
}
