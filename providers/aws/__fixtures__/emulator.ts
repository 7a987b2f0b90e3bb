/**
 * Shared set-up for the AWS tests: one emulator on msw for the whole test
 * file (listening from import, closed after the file's last test), and what
 * talks to it with its fake credentials (never real ones, never the network).
 */
import type { CreateFunctionCommandInput } from '@aws-sdk/client-lambda'
import { zipSync } from 'fflate'
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

/**
 * Emulator options for tests of what happens after a deploy rather than of its waits: a function is Active on
 * its first use, an update ends at once, a new role is assumable at once.
 */
export const NO_STATE_DELAYS = { stateDelayMs: 0, updateDelayMs: 0, roleDelayMs: 0 } as const

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

/** The role hand-written functions run as (the emulator does not check it unless a test creates roles). */
export const TEST_ROLE = 'arn:aws:iam::123456789012:role/test'

/**
 * CreateFunction's input for a function zipped by hand, so a test exercises
 * the Lambda contract without cloudfn's packaging or shim: nodejs22.x,
 * `index.handler` and `TEST_ROLE` unless `fields` say otherwise; `code` is
 * the zip, or its files by path (`index.mjs` when a string).
 */
export function zipFunction(
  name: string,
  code: string | Record<string, string> | Uint8Array,
  fields: Partial<CreateFunctionCommandInput> = {},
): CreateFunctionCommandInput {
  const files = typeof code === 'string' ? { 'index.mjs': code } : code
  const zip =
    files instanceof Uint8Array
      ? files
      : zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [path, encoder.encode(text)])))
  return {
    FunctionName: name,
    Role: TEST_ROLE,
    Runtime: 'nodejs22.x',
    Handler: 'index.handler',
    Code: { ZipFile: zip },
    ...fields,
  }
}

const encoder = new TextEncoder()

/** The error an SDK call rejected with; fails the test when the call succeeded. */
export async function sdkError(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof Error)) throw new Error('expected the call to fail')
  return error as Error & Record<string, unknown>
}
