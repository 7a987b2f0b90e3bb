/**
 * Shared set-up for the AWS tests: one emulator on msw for the whole test
 * file (listening from import, closed after the file's last test), and what
 * talks to it with its fake credentials (never real ones, never the network).
 */
import { afterAll } from 'vitest'
import type { Cloud } from '../../../src/client.ts'
import type { RetryPolicy } from '../../../src/retry.ts'
import { type AwsEmulator, type AwsEmulatorOptions, createAwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'
import { aws } from '../index.ts'
import type { AwsSettings } from '../settings.ts'

export interface FileEmulator {
  emulator: AwsEmulator
  /** The msw server it listens on (tests may put handlers in front of its own). */
  server: ReturnType<AwsEmulator['listen']>
  /** Provider settings for it: the fake credentials, 2 ms polls. */
  settings: AwsSettings
  /** Config for an AWS SDK client: the fake credentials and one attempt, so a test sees every answer. */
  clientConfig: { region: string; credentials: typeof FAKE_CREDENTIALS; maxAttempts: 1 }
  /** A cloud on `settings` that retries a few times, 1 ms apart, unless `retry` says otherwise. */
  cloud(retry?: Partial<RetryPolicy>): Cloud
}

export function emulatorForFile(options: AwsEmulatorOptions & { region: string }): FileEmulator {
  const emulator = createAwsEmulator(options)
  const server = emulator.listen()
  afterAll(() => emulator.close())
  const settings = emulator.connect({ pollIntervalMs: 2 })
  return {
    emulator,
    server,
    settings,
    clientConfig: { region: options.region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 },
    cloud: (retry) => aws({ ...settings, retry: { baseDelayMs: 1, maxAttempts: 3, ...retry } }),
  }
}
