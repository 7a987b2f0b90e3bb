/**
 * Local `inline` invoke against a direct call of the same handler with a JSON
 * round trip, in this process: `node bench/inline-ratio.ts` prints one JSON
 * line. bench/run.ts runs it under several runtimes (Node 22 as is, Node 22
 * with AsyncContextFrame, Node 24 when npm can provide it offline) because
 * what an inline execution's async context costs depends on how the runtime
 * implements AsyncLocalStorage.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { local } from 'cloudfn/local'
import { add } from './functions.ts'
import { compareRates, round2 } from './measure.ts'

const input = { a: 1, b: 2, tags: ['x', 'y', 'z'] }

export async function inlineVsDirect(): Promise<{ directCallsPerSec: number; inlineCallsPerSec: number; ratio: number }> {
  const direct = async () => JSON.parse(JSON.stringify(await add.handler(JSON.parse(JSON.stringify(input)), undefined as never)))
  const inline = await local({ isolation: 'inline' }).deploy(add)
  const rates = await compareRates({ direct, inline: () => inline.invoke(input) }, { rounds: 7 })
  await inline.remove()
  return {
    directCallsPerSec: Math.round(rates.direct),
    inlineCallsPerSec: Math.round(rates.inline),
    ratio: round2(rates.inline / rates.direct),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(JSON.stringify({ node: process.version, execArgv: process.execArgv, ...(await inlineVsDirect()) }))
}
