/**
 * `npm run bench`: ratios measured side by side in one run (this machine is
 * shared and noisy, so absolute numbers mean little). Nothing here fails on
 * speed; results go to bench/results.json.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createCloud, defineFunction } from 'cloudfn'
import { createLocalProvider, local } from 'cloudfn/local'
import { add } from './functions.ts'

const input = { a: 1, b: 2, tags: ['x', 'y', 'z'] }
const ROUNDS = 5
const ROUND_MS = 400

/** Calls per second of `call`, over rounds interleaved with the other contenders by the caller. */
async function rate(call: () => Promise<unknown>, ms: number): Promise<number> {
  let count = 0
  const started = performance.now()
  while (performance.now() - started < ms) {
    await call()
    count++
  }
  return count / ((performance.now() - started) / 1000)
}

async function compare(contenders: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const totals: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
  for (const call of Object.values(contenders)) await rate(call, 100) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, call] of Object.entries(contenders)) totals[name]?.push(await rate(call, ROUND_MS))
  }
  // The median round resists a neighbour's burst on the shared machine.
  return Object.fromEntries(Object.entries(totals).map(([name, rates]) => [name, median(rates)]))
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

function coldImportMs(code: string): number {
  const runs: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { stdio: 'ignore' })
    runs.push(performance.now() - started)
  }
  return median(runs)
}

const direct = async () => JSON.parse(JSON.stringify(await add.handler(JSON.parse(JSON.stringify(input)), undefined as never)))
const inline = await local({ isolation: 'inline' }).deploy(add)
const worker = await local({ isolation: 'worker' }).deploy(add)

console.log('invoke throughput (calls/s, sequential, median of rounds)...')
const rates = await compare({ direct: direct, inline: () => inline.invoke(input), worker: () => worker.invoke(input) })

console.log('worker cold start...')
const coldStarts: number[] = []
for (let i = 0; i < 5; i++) {
  const cloud = local({ isolation: 'worker' })
  const fn = await cloud.deploy(add)
  const started = performance.now()
  await fn.invoke(input)
  coldStarts.push(performance.now() - started)
  await fn.remove()
}

console.log('packaging...')
const packagingProvider = createLocalProvider({ isolation: 'worker' })
const packagingCloud = createCloud(packagingProvider)
const hello = defineFunction({
  name: 'bench-hello',
  handler: () => 'hello',
  entry: new URL('./hello.ts', import.meta.url).pathname,
  exportName: 'hello',
})
let started = performance.now()
const first = await packagingCloud.deploy(hello)
const firstMs = performance.now() - started
started = performance.now()
await packagingCloud.deploy(hello, { name: 'bench-hello-again' })
const cachedMs = performance.now() - started
const artifactBytes = [...packagingProvider.store.deployments.values()].length > 0 ? await artifactSize() : 0
await first.remove()
await packagingCloud.remove('bench-hello-again')

async function artifactSize(): Promise<number> {
  const { packageFunction } = await import('../src/package/index.ts')
  const { packageFile } = await import('../src/package/package-root.ts')
  const artifact = await packageFunction(hello as never, { shimPath: packageFile('providers/local/shim.ts') })
  return artifact.zip.byteLength
}

console.log('cold imports...')
const bare = coldImportMs('')
const imports = {
  bare,
  cloudfn: coldImportMs("await import('cloudfn')") - bare,
  'cloudfn/local': coldImportMs("await import('cloudfn/local')") - bare,
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  invoke: {
    directCallsPerSec: Math.round(rates.direct ?? 0),
    inlineCallsPerSec: Math.round(rates.inline ?? 0),
    workerCallsPerSec: Math.round(rates.worker ?? 0),
    inlineVsDirect: round((rates.inline ?? 0) / (rates.direct ?? 1)),
    workerVsDirect: round((rates.worker ?? 0) / (rates.direct ?? 1)),
    goalInlineVsDirect: 0.5,
  },
  workerColdStartMs: round(median(coldStarts)),
  packaging: { helloWorldZipBytes: artifactBytes, firstMs: round(firstMs), cachedMs: round(cachedMs), goalZipBytes: 5 * 1024 },
  coldImportMsOverBareNode: {
    bareNodeMs: round(imports.bare),
    cloudfn: round(imports.cloudfn),
    'cloudfn/local': round(imports['cloudfn/local']),
    goalMs: 30,
  },
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
console.log(JSON.stringify(results, null, 2))
const verdict = (ok: boolean) => (ok ? 'meets goal' : 'MISSES goal')
console.log(`\ninline vs direct: ${results.invoke.inlineVsDirect}× (${verdict(results.invoke.inlineVsDirect >= 0.5)} of ≥ 0.5×)`)
console.log(`hello-world zip: ${artifactBytes} bytes (${verdict(artifactBytes <= 5 * 1024)} of ≤ 5 KB)`)
