import { createCloud } from '../../../src/client.ts'
import type { RetryPolicy } from '../../../src/retry.ts'
import { createGcpEmulator, emulatorAuthClient, type GcpEmulatorOptions } from '../emulator/index.ts'
import { createGcpProvider, type IdTokenProvider } from '../index.ts'

export const PROJECT = 'cloudfn-tests'
export const REGION = 'us-central1'
export const LOCATION = `projects/${PROJECT}/locations/${REGION}`
export const API = `https://cloudfunctions.googleapis.com/v2/${LOCATION}`

/** An emulator with its msw server running, and a factory of clouds on it. */
export async function startEmulated(options: GcpEmulatorOptions = {}) {
  const emulator = createGcpEmulator({ operationDelayMs: 5, ...options })
  const server = emulator.listen()
  const authClient = emulatorAuthClient()
  const providerWith = (idTokenProvider: IdTokenProvider = emulator.idTokenProvider) =>
    createGcpProvider({ project: PROJECT, region: REGION, authClient, idTokenProvider, pollIntervalMs: 2 })
  const provider = providerWith()
  const cloudWith = (retry: Partial<RetryPolicy> = {}, onProvider = provider) =>
    createCloud(onProvider, { retry: { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 5, ...retry } })
  return { emulator, server, authClient, provider, providerWith, cloudWith, state: emulator.state }
}
