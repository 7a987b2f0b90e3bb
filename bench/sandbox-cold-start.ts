/**
 * What the process sandbox (each emulated instance a child process, see
 * src/sandbox/process-sandbox.ts) costs against the worker-thread sandbox:
 * cold start (a new instance up to its first answer, start-up included) and
 * a warm round trip, side by side on the same script, rounds interleaved so
 * that a noisy neighbour hits both. Prints JSON; summarised in
 * docs/PERFORMANCE.md. Run: `node bench/sandbox-cold-start.ts`.
 */
import { tmpdir } from 'node:os'
import type { HostOp } from '../src/sandbox/__fixtures__/process-host.ts'
import { compileHostScript } from '../src/sandbox/host-script.ts'
import { createProcessSandbox } from '../src/sandbox/process-sandbox.ts'
import type { Sandbox, SandboxSettings } from '../src/sandbox/sandbox.ts'
import { createWorkerSandbox } from '../src/sandbox/worker-sandbox.ts'
import { median, round2 } from './measure.ts'

const ROUNDS = 15
const WARM_CALLS = 300

const settings: SandboxSettings = {
  provider: 'bench',
  name: 'cold-start',
  workerFile: await compileHostScript(new URL('../src/sandbox/__fixtures__/process-host.ts', import.meta.url).pathname),
  workerData: {},
  env: { GIVEN: 'yes' },
  memoryMb: 256,
  timeoutSec: 60,
  maxInstances: 1,
}
const kinds: Record<'thread' | 'process', () => Sandbox<HostOp, unknown>> = {
  thread: () => createWorkerSandbox(settings),
  process: () => createProcessSandbox({ ...settings, cwd: tmpdir() }),
}

async function coldStartMs(create: () => Sandbox<HostOp, unknown>): Promise<number> {
  const sandbox = create()
  const started = performance.now()
  await sandbox.run({ op: 'whoami' })
  const elapsed = performance.now() - started
  await sandbox.retire()
  return elapsed
}

async function warmCallMs(create: () => Sandbox<HostOp, unknown>): Promise<number> {
  const sandbox = create()
  await sandbox.run({ op: 'whoami' })
  const started = performance.now()
  for (let i = 0; i < WARM_CALLS; i++) await sandbox.run({ op: 'sleep', ms: 0 })
  const elapsed = (performance.now() - started) / WARM_CALLS
  await sandbox.retire()
  return elapsed
}

const cold: Record<string, number[]> = { thread: [], process: [] }
const warm: Record<string, number[]> = { thread: [], process: [] }
// One untimed round each: esbuild, the bootstrap compile and the disk cache are not a cold start.
for (const create of Object.values(kinds)) await coldStartMs(create)
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (['thread', 'process'] as const) : (['process', 'thread'] as const)
  for (const kind of order) cold[kind]?.push(await coldStartMs(kinds[kind]))
  if (round % 5 === 0) for (const kind of order) warm[kind]?.push(await warmCallMs(kinds[kind]))
}

const ratios = cold.process?.map((ms, index) => ms / (cold.thread?.[index] ?? ms)) ?? []
const result = {
  date: new Date().toISOString(),
  node: process.version,
  coldStartMs: { thread: round2(median(cold.thread ?? [])), process: round2(median(cold.process ?? [])) },
  coldStartProcessVsThread: round2(median(ratios)),
  coldStartRatioRange: [round2(Math.min(...ratios)), round2(Math.max(...ratios))],
  warmCallMs: { thread: round2(median(warm.thread ?? [])), process: round2(median(warm.process ?? [])) },
}
console.log(JSON.stringify(result, null, 2))
