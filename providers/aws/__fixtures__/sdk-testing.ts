/**
 * What the emulator's wire tests share besides `emulator.ts`: a function that
 * logs each event it gets, read back from the emulator's log groups.
 */
import { zipSync } from 'fflate'
import type { AwsEmulator } from '../emulator/index.ts'

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
