/**
 * What the emulator's wire tests share: the emulator, the error an SDK call
 * failed with, and a function that logs each event it gets, read back from
 * the emulator's log groups.
 */
import { zipSync } from 'fflate'
import { afterAll } from 'vitest'
import { type AwsEmulator, createAwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'

/**
 * An emulator listening for the test file, closed after it: functions go
 * Active on their first use (no state delay) and failed asynchronous events
 * are retried at once. `config` is for the SDK clients (one attempt each).
 */
export function wireTestEmulator(region = 'eu-west-1') {
  const emulator = createAwsEmulator({ region, stateDelayMs: 0, updateDelayMs: 0, roleDelayMs: 0, asyncRetryDelayMs: 1 })
  emulator.listen()
  afterAll(() => emulator.close())
  return { emulator, config: { region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 } }
}

/** The SDK's exception a call failed with (its fields kept); fails the test when the call succeeded. */
export async function sdkFailure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof Error)) throw new Error('expected the call to fail')
  return error as Error & Record<string, unknown>
}

/** A zipped `index.mjs` whose handler logs `EVENT <json>` and then runs `after` (a statement, e.g. a conditional throw). */
export function loggingHandlerZip(after = ''): Uint8Array {
  return zipSync({
    'index.mjs': new TextEncoder().encode(`
export const handler = async (event) => {
  console.log('EVENT ' + JSON.stringify(event))
  ${after}
  return null
}
`),
  })
}

/** The events a function built from `loggingHandlerZip` logged, parsed, in order. */
export function loggedEvents<T>(emulator: AwsEmulator, name: string): T[] {
  return (emulator.state.logGroups.get(`/aws/lambda/${name}`) ?? [])
    .filter((event) => event.message.includes('EVENT '))
    .map((event) => JSON.parse(event.message.slice(event.message.indexOf('EVENT ') + 6)) as T)
}
