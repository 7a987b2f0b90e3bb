/**
 * What a deploy to each emulator costs a user's test, and where the time goes.
 *
 * `node bench/deploy-emulated.ts [N]` creates N hello-world functions (fresh
 * names, so each is a create) on each emulator with the provider's and the
 * emulator's DEFAULT settings, as a user's own test would, and prints per
 * deploy the total and its phases: cloudfn's steps (`onProgress`) and the gap
 * before each request the emulator received. A gap before a repeated GET is
 * the provider's poll interval; a gap before the first request of a step is
 * packaging or client start-up. `deployEmulatedFigures()` gives the medians
 * to bench/run.ts.
 *
 * The GCP and Azure deploys end when the new function's first instance has
 * started (a Node.js process loading the framework and the package), so their
 * wall time follows the machine's load. `cpuMsPerDeploy` is what load does
 * not move: the CPU time of this process and of the instance processes
 * (Linux's cutime/cstime, counted once the emulator's close has reaped them)
 * over the deploys after the first, per deploy.
 */
import { readFileSync } from 'node:fs'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../providers/aws/emulator/index.ts'
import { aws } from '../providers/aws/index.ts'
import { createAzureEmulator, emulatorCredential } from '../providers/azure/emulator/index.ts'
import { azure } from '../providers/azure/index.ts'
import { createGcpEmulator, emulatorAuthClient } from '../providers/gcp/emulator/index.ts'
import { gcp } from '../providers/gcp/index.ts'
import type { Cloud } from '../src/index.ts'
import { deployHello } from './deploy-hello.ts'
import { median, round2 } from './measure.ts'

interface Emulated {
  cloud: Cloud
  server: { events: { on(event: 'request:start', listener: (args: { request: Request }) => void): void } }
  close(): Promise<void>
}

const POLL = process.env.BENCH_POLL_MS ? { pollIntervalMs: Number(process.env.BENCH_POLL_MS) } : {}

const clouds: Record<string, () => Emulated> = {
  aws() {
    const region = 'eu-west-1'
    const emulator = createAwsEmulator({ region })
    const server = emulator.listen()
    return { cloud: aws({ region, credentials: FAKE_CREDENTIALS, ...POLL }), server, close: () => emulator.close() }
  },
  gcp() {
    const emulator = createGcpEmulator()
    const server = emulator.listen()
    const cloud = gcp({
      project: 'cloudfn-bench',
      region: 'europe-west1',
      authClient: emulatorAuthClient(),
      idTokenProvider: emulator.idTokenProvider,
      ...POLL,
    })
    return { cloud, server, close: () => emulator.close() }
  },
  azure() {
    const emulator = createAzureEmulator()
    const server = emulator.listen()
    const cloud = azure({
      subscriptionId: '00000000-0000-4000-8000-000000000000',
      resourceGroup: 'cloudfn-bench',
      location: 'westeurope',
      credential: emulatorCredential(),
      ...POLL,
    })
    return { cloud, server, close: () => emulator.close() }
  },
}

interface Event {
  at: number
  what: string
}

/** `GET lambda/2015-03-31/functions/x/configuration` — host's first label and the path, no query. */
function describe(request: Request): string {
  const url = new URL(request.url)
  return `${request.method} ${url.hostname.split('.')[0]}${url.pathname}`
}

/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every common build). */
const TICKS_PER_SEC = 100

/** CPU ms of this process and of its reaped children (/proc/self/stat utime, stime, cutime, cstime); 0 elsewhere. */
function cpuMs(): { self: number; children: number } {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? []
    // Fields 14-17 of proc(5), counted from the state (field 3) at index 0.
    const tick = (index: number) => (Number(fields[index]) * 1000) / TICKS_PER_SEC
    return { self: tick(11) + tick(12), children: tick(13) + tick(14) }
  } catch {
    return { self: 0, children: 0 }
  }
}

export interface DeployFigures {
  firstMs: number
  medianMs: number
  /** CPU per deploy after the first: this process (client, emulator, packaging) and the instance processes. */
  cpuMsPerDeploy: { host: number; instances: number }
  /** Median time per phase (a step, or the gap before a kind of request) over the deploys after the first. */
  phases: Record<string, number>
}

async function measureCloud(start: () => Emulated, count: number, print: boolean): Promise<DeployFigures> {
  const emulated = start()
  let events: Event[] = []
  emulated.server.events.on('request:start', ({ request }) => {
    events.push({ at: performance.now(), what: describe(request) })
  })
  const totals: number[] = []
  let cpuFrom = cpuMs()
  const phaseSamples = new Map<string, number[]>()
  try {
    for (let index = 0; index < count; index++) {
      if (index === 1) cpuFrom = cpuMs()
      events = []
      const started = performance.now()
      const steps: Event[] = []
      await emulated.cloud.deploy(deployHello, {
        name: `bench-deploy-${index}`,
        onProgress: (step) => steps.push({ at: performance.now(), what: `step ${step}` }),
      })
      const total = performance.now() - started
      totals.push(total)
      const timeline = [...steps, ...events].sort((a, b) => a.at - b.at)
      const phases = new Map<string, number>()
      let previous = started
      for (const event of timeline) {
        // The gap before an event is charged to it: the time until it happened.
        const key = event.what.replace(/bench-deploy-\d+/g, 'NAME').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID')
        phases.set(key, (phases.get(key) ?? 0) + (event.at - previous))
        previous = event.at
      }
      if (index > 0) {
        for (const [key, ms] of phases) phaseSamples.set(key, [...(phaseSamples.get(key) ?? []), ms])
      }
      if (print) {
        console.log(`  deploy ${index}: ${total.toFixed(0)} ms`)
        if (index === 0 || index === count - 1) {
          for (const event of timeline) console.log(`    +${(event.at - started).toFixed(1).padStart(7)} ms  ${event.what}`)
        }
      }
    }
  } finally {
    await emulated.close()
  }
  const cpuTo = cpuMs()
  const rest = totals.slice(1)
  const perDeploy = (ms: number) => round2(ms / Math.max(1, rest.length))
  const phases = Object.fromEntries(
    [...phaseSamples]
      .map(([key, samples]) => [key, round2(median([...samples, ...Array(rest.length - samples.length).fill(0)]))] as const)
      .filter(([, ms]) => ms >= 1)
      .sort((a, b) => b[1] - a[1]),
  )
  return {
    firstMs: round2(totals[0] ?? 0),
    medianMs: round2(median(rest.length > 0 ? rest : totals)),
    cpuMsPerDeploy: { host: perDeploy(cpuTo.self - cpuFrom.self), instances: perDeploy(cpuTo.children - cpuFrom.children) },
    phases,
  }
}

export async function deployEmulatedFigures(count = 5, print = false): Promise<Record<string, DeployFigures>> {
  const results: Record<string, DeployFigures> = {}
  for (const [name, start] of Object.entries(clouds)) {
    if (print) console.log(`${name}:`)
    results[name] = await measureCloud(start, count, print)
  }
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 5)
  const results = await deployEmulatedFigures(count, true)
  console.log(JSON.stringify(results, null, 2))
}
