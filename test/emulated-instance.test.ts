/**
 * What a function sees of its instance on each emulated cloud, as on the real
 * one: its own process (reused while warm, gone once the emulator closes), the
 * unpacked code as working directory, UTC whatever the test process's time
 * zone, and an environment without the test process's variables.
 * References: docs/FIDELITY.md, "The instance".
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConformanceTarget } from '../conformance/scenario.ts'
import { awsEmulatedTarget } from '../providers/aws/conformance/emulated-target.ts'
import { azureEmulatedTarget } from '../providers/azure/conformance/emulated-target.ts'
import { gcpEmulatedTarget } from '../providers/gcp/conformance/emulated-target.ts'
import { processAlive } from '../src/process-alive.ts'
import { instanceProbe } from './fixtures/instance-probe.ts'

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

const clouds: Array<[string, ConformanceTarget, string]> = [
  // Lambda sets TZ=:UTC (runtime environment variables); GCP and Azure run in UTC with no zone set.
  ['aws', awsEmulatedTarget(), ':UTC'],
  ['gcp', gcpEmulatedTarget(), 'UTC'],
  ['azure', azureEmulatedTarget(), 'UTC'],
]

describe.each(clouds)('a function instance on the %s emulator', (_cloud, target, tz) => {
  it('runs in a process of its own, in its unpacked code, in UTC, without the test process environment', async () => {
    expect(new Date(0).getHours()).toBe(9) // the test process really is in Tokyo
    const { cloud, teardown } = await target.setup()
    const pids: number[] = []
    try {
      const fn = await cloud.deploy(instanceProbe)
      const first = (await fn.invoke(undefined as never)) as Probe
      const second = (await fn.invoke(undefined as never)) as Probe
      pids.push(first.pid, second.pid)

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
  })
})
