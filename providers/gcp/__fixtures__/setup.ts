import { OAuth2Client } from 'google-auth-library'
import { createCloud } from '../../../src/client.ts'
import type { RetryPolicy } from '../../../src/retry.ts'
import { createGcpEmulator, type GcpEmulatorOptions } from '../emulator/index.ts'
import { createGcpProvider, type IdTokenProvider } from '../index.ts'

export const PROJECT = 'cloudfn-tests'
export const REGION = 'us-central1'
export const LOCATION = `projects/${PROJECT}/locations/${REGION}`
export const API = `https://cloudfunctions.googleapis.com/v2/${LOCATION}`

/** An auth client with a fake access token: google-auth-library never looks for real credentials. */
export function fakeAuthClient(): OAuth2Client {
  const client = new OAuth2Client()
  client.setCredentials({ access_token: 'test-access-token', expiry_date: Date.now() + 3_600_000 })
  return client
}

/** An emulator with its msw server running, and a factory of clouds on it. */
export async function startEmulated(options: GcpEmulatorOptions = {}) {
  const emulator = createGcpEmulator({ operationDelayMs: 5, ...options })
  const server = emulator.listen()
  const authClient = fakeAuthClient()
  const providerWith = (idTokenProvider: IdTokenProvider = emulator.idTokenProvider) =>
    createGcpProvider({ project: PROJECT, region: REGION, authClient, idTokenProvider, pollIntervalMs: 2 })
  const provider = providerWith()
  const cloudWith = (retry: Partial<RetryPolicy> = {}, onProvider = provider) =>
    createCloud(onProvider, { retry: { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 5, ...retry } })
  return { emulator, server, authClient, provider, providerWith, cloudWith, state: emulator.state }
}
