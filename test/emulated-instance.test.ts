/**
 * What a function sees of its instance on each emulated cloud, as on the real
 * one: its own process (reused while warm, gone once the emulator closes), the
 * unpacked code as working directory, UTC whatever the test process's time
 * zone, and an environment without the test process's variables.
 * References: docs/FIDELITY.md, "The instance".
 */

import { existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConformanceTarget } from '../conformance/scenario.ts'
import { awsEmulatedTarget } from '../providers/aws/conformance/emulated-target.ts'
import { azureEmulatedTarget } from '../providers/azure/conformance/emulated-target.ts'
import { gcpEmulatedTarget } from '../providers/gcp/conformance/emulated-target.ts'
import { processAlive } from '../src/process-alive.ts'
import { instanceProbe } from './fixtures/instance-probe.ts'
import { ended, running } from './fixtures/process-gone.ts'
import { slowInit } from './fixtures/slow-init.ts'
import { spawner } from './fixtures/spawner.ts'

interface Probe {
  pid: number
  cwd: string
  codeDir: string
  relativeRead: string
  ownFile: string
  epochHours: number
  tz: string | null
  env: Record<string, string>
}

const MARKER = 'CLOUDFN_TEST_PROCESS_ONLY'
const saved = { tz: process.env.TZ, marker: process.env[MARKER] }

beforeAll(() => {
  // Instances start after this, so they would inherit both if the sandbox let them.
  process.env.TZ = 'Asia/Tokyo'
  process.env[MARKER] = 'leaked'
})

afterAll(() => {
  for (const [key, value] of [
    ['TZ', saved.tz],
    [MARKER, saved.marker],
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

/** This process's own temporary folders of emulated instances (the names carry the pid). */
function ownTempFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`cloudfn-aws-logs-${process.pid}-`))
}

const clouds: Array<[string, ConformanceTarget, string, boolean]> = [
  // Lambda sets TZ=:UTC (runtime environment variables); GCP and Azure run in UTC with no zone set.
  // The last field: whether the emulator removes the unpacked code when it closes (Azure keeps it until exit).
  ['aws', awsEmulatedTarget(), ':UTC', true],
  ['gcp', gcpEmulatedTarget(), 'UTC', true],
  ['azure', azureEmulatedTarget(), 'UTC', false],
]

describe.each(clouds)('a function instance on the %s emulator', (_cloud, target, tz, removesCode) => {
  it('runs in a process of its own, in its unpacked code, in UTC, without the test process environment', async () => {
    expect(new Date(0).getHours()).toBe(9) // the test process really is in Tokyo
    const { cloud, teardown } = await target.setup()
    const pids: number[] = []
    let codeDir = ''
    try {
      const fn = await cloud.deploy(instanceProbe)
      const first = (await fn.invoke(undefined as never)) as Probe
      const second = (await fn.invoke(undefined as never)) as Probe
      pids.push(first.pid, second.pid)
      codeDir = first.codeDir

      expect(first.pid).not.toBe(process.pid)
      expect(second.pid).toBe(first.pid) // warm: the same process serves the next call
      expect(first.cwd).toBe(first.codeDir)
      expect(first.cwd).not.toBe(process.cwd())
      expect(first.relativeRead).toBe(first.ownFile)
      expect(first.epochHours).toBe(0)
      expect(first.tz).toBe(tz)
      expect(first.env.PROBE_SETTING).toBe('set')
      expect(first.env).not.toHaveProperty(MARKER)
      expect(processAlive(first.pid)).toBe(true)
    } finally {
      await teardown()
    }
    // Closing the emulator stops its instances: no process outlives it.
    for (const pid of pids) expect(processAlive(pid)).toBe(false)
    // Nor does what they used: the unpacked code and the log files' folder (a test runner kills its
    // workers without exit hooks, so what waits for the process's exit piles up in the temporary folder).
    expect(existsSync(codeDir)).toBe(!removesCode)
    expect(ownTempFolders()).toEqual([])
  })

  it('ends the processes a function spawned when the emulator closes, as the cloud ends the instance', async () => {
    const { cloud, teardown } = await target.setup()
    let spawned: { pid: number; child: number } | undefined
    try {
      const fn = await cloud.deploy(spawner)
      spawned = (await fn.invoke(undefined as never)) as { pid: number; child: number }
      expect(running(spawned.child)).toBe(true)
    } finally {
      await teardown()
    }
    // The instance leads a process group of its own, and the whole group is killed.
    expect(await ended(spawned.pid)).toBe(true)
    expect(await ended(spawned.child)).toBe(true)
  }, 120_000)

  it("keeps the module's load out of the function's timeout, as the cloud's start-up does", async () => {
    // The load takes 4 s, more than the 3 s timeout. Lambda's Init phase has its own 10 s budget, Cloud Run's
    // startup probe 240 s, and Azure's worker loads the app before any invocation: none counts it in the
    // request's time, so the cold invocation runs with its whole timeout left.
    const { cloud, teardown } = await target.setup()
    try {
      const fn = await cloud.deploy(slowInit)
      const answer = (await fn.invoke(undefined as never)) as { coldStart: boolean; remainingMs: number }
      expect(answer.coldStart).toBe(true)
      // The deadline starts when the instance takes the request, after the load: time is left.
      expect(answer.remainingMs).toBeGreaterThan(0)
      expect(answer.remainingMs).toBeLessThanOrEqual(3000)
    } finally {
      await teardown()
    }
  }, 120_000)
})
