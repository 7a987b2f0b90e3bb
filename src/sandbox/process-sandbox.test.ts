import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ended, running } from '../../test/fixtures/process-gone.ts'
import { OutOfMemoryError } from '../errors/out-of-memory.ts'
import { ThrottledError } from '../errors/throttled.ts'
import { TimeoutError } from '../errors/timeout.ts'
import { packageFile } from '../package/package-root.ts'
import { processAlive } from '../process-alive.ts'
import type { HostData, HostOp } from './__fixtures__/process-host.ts'
import { compileHostScript } from './host-script.ts'
import { createProcessSandbox, type ProcessSandboxSettings, type Sandbox } from './process-sandbox.ts'

interface WhoAmI {
  pid: number
  cwd: string
  env: Record<string, string>
  epochHours: number
  workerData: unknown
  bytes: Uint8Array
}

const cwd = mkdtempSync(join(tmpdir(), 'cloudfn-process-sandbox-'))
const opened: Array<Sandbox<HostOp, unknown>> = []

afterAll(() => rmSync(cwd, { recursive: true, force: true }))

async function spawned(box: Sandbox<HostOp, unknown>, inheritOutput = false): Promise<number> {
  const outcome = await box.run({ op: 'spawn', inheritOutput })
  if (outcome.kind !== 'result') throw new Error(`crashed: ${outcome.error.message}`)
  const pid = outcome.result as number
  expect(running(pid)).toBe(true)
  return pid
}

async function sandbox(data: HostData = {}, settings: Partial<ProcessSandboxSettings> = {}): Promise<Sandbox<HostOp, unknown>> {
  const created = createProcessSandbox<HostOp, unknown>({
    provider: 'test',
    name: 'probe',
    workerFile: await compileHostScript(packageFile('src/sandbox/__fixtures__/process-host.ts')),
    workerData: data,
    env: { GIVEN: 'yes' },
    memoryMb: 128,
    timeoutSec: 60,
    maxInstances: 1,
    cwd,
    ...settings,
  })
  opened.push(created)
  return created
}

async function whoami(box: Sandbox<HostOp, unknown>): Promise<WhoAmI> {
  const outcome = await box.run({ op: 'whoami' })
  if (outcome.kind !== 'result') throw new Error(`crashed: ${outcome.error.message}`)
  return outcome.result as WhoAmI
}

describe('an instance whose host dies', () => {
  it('ends even while its function never yields, when the host is killed without any exit hook', async () => {
    // A host process that starts a spinning instance, prints its pid, then SIGKILLs itself.
    const host = join(cwd, 'killed-host.ts')
    writeFileSync(
      host,
      `import { compileHostScript } from ${JSON.stringify(packageFile('src/sandbox/host-script.ts'))}
import { createProcessSandbox } from ${JSON.stringify(packageFile('src/sandbox/process-sandbox.ts'))}
const box = createProcessSandbox({ provider: 'test', name: 'spin', workerFile: await compileHostScript(${JSON.stringify(
        packageFile('src/sandbox/__fixtures__/process-host.ts'),
      )}), env: {}, memoryMb: 128, timeoutSec: 600, maxInstances: 1, cwd: ${JSON.stringify(cwd)} })
const { result: pid } = await box.run({ op: 'whoami' })
const { result: grandchild } = await box.run({ op: 'spawn' })
void box.run({ op: 'spin' })
console.log(JSON.stringify([pid.pid, grandchild]))
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200)
`,
    )
    const { stdout } = await new Promise<{ stdout: string }>((resolve) => {
      execFile(process.execPath, [host], { timeout: 120_000 }, (_error, out) => resolve({ stdout: String(out) }))
    })
    const [pid, grandchild] = JSON.parse(stdout.trim()) as [number, number]
    // Polls until they are gone; the bound is only a hang guard (no wall-clock window).
    expect(await ended(pid, 40_000)).toBe(true)
    // The watchdog ends the instance's whole process group: what the function spawned too.
    expect(await ended(grandchild, 10_000)).toBe(true)
  }, 120_000)
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((box) => box.retire()))
})

describe('processes a function spawns', () => {
  it('end with the instance when it times out, even with the instance output still held', async () => {
    const box = await sandbox({}, { timeoutSec: 1, maxInstances: 1 })
    const quiet = await spawned(box)
    const holding = await spawned(box, true)
    await expect(box.run({ op: 'sleep', ms: 60_000 })).rejects.toSatisfy((error) => TimeoutError.isInstance(error))
    expect(await ended(quiet)).toBe(true)
    expect(await ended(holding)).toBe(true)
  }, 120_000)

  it('end when the sandbox is retired (an emulator closes)', async () => {
    const box = await sandbox()
    const grandchild = await spawned(box)
    await box.retire()
    expect(await ended(grandchild)).toBe(true)
  }, 120_000)

  it('end when the instance exits by itself or runs out of memory', async () => {
    const box = await sandbox({}, { memoryMb: 64 })
    const first = await spawned(box)
    expect(await box.run({ op: 'exit', code: 0 })).toMatchObject({ kind: 'crash' })
    expect(await ended(first)).toBe(true)
    const second = await spawned(box)
    await expect(box.run({ op: 'fill-memory' })).rejects.toSatisfy((error) => OutOfMemoryError.isInstance(error))
    expect(await ended(second)).toBe(true)
  }, 120_000)
})

describe('process sandbox', () => {
  it('runs each instance as a process in its own folder, time zone and environment, reused while warm', async () => {
    const saved = process.env.TZ
    process.env.TZ = 'Asia/Tokyo'
    try {
      const box = await sandbox()
      const first = await whoami(box)
      const second = await box.run({ op: 'whoami' })
      expect(first.pid).not.toBe(process.pid)
      expect(second).toMatchObject({ kind: 'result', coldStart: false, result: { pid: first.pid } })
      expect(first.cwd).toBe(cwd)
      expect(first.epochHours).toBe(0)
      // Exactly what the caller gave, plus the time zone; nothing of this process's environment.
      expect(first.env).toEqual({ GIVEN: 'yes', TZ: 'UTC' })
      // Host scripts read workerData while loading; the code they run sees a main thread's null.
      expect(first.workerData).toBeNull()
      // Structured clone, as a worker's messages: bytes stay bytes.
      expect(first.bytes).toEqual(new Uint8Array([1, 2, 3]))
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })

  it("keeps start-up out of the request's time: a slow load is not a timeout", async () => {
    // Loading takes longer than the whole timeout; only the request itself is timed.
    // 4 s for the request itself: on a loaded machine even a quick answer can take seconds.
    const box = await sandbox({ loadDelayMs: 5000 }, { timeoutSec: 4 })
    expect(await box.run({ op: 'whoami' })).toMatchObject({ kind: 'result', coldStart: true })
  })

  it('gives up on an instance that never gets ready after the start-up bound, reporting a crash', async () => {
    const box = await sandbox({ hangAtLoad: true }, { startupTimeoutSec: 0.5 })
    const outcome = await box.run({ op: 'whoami' })
    expect(outcome).toMatchObject({
      kind: 'crash',
      coldStart: true,
      error: { message: "The function's instance did not start within 0.5 s" },
    })
    expect(box.size).toBe(0)
  })

  it('reports a script that fails to load with its own error, as a worker does', async () => {
    const box = await sandbox({ failAtLoad: true })
    const outcome = await box.run({ op: 'whoami' })
    expect(outcome).toMatchObject({ kind: 'crash', coldStart: true, error: { name: 'TypeError', message: 'boom at load' } })
    expect(box.size).toBe(0)
  })

  it('kills the process on a timeout; the next request gets a new instance', async () => {
    const box = await sandbox({}, { timeoutSec: 1 })
    const { pid } = await whoami(box)
    await expect(box.run({ op: 'sleep', ms: 60_000 })).rejects.toSatisfy((error) => TimeoutError.isInstance(error))
    expect(processAlive(pid)).toBe(false)
    const next = await box.run({ op: 'whoami' })
    expect(next).toMatchObject({ kind: 'result', coldStart: true })
    expect((next as { result: WhoAmI }).result.pid).not.toBe(pid)
  })

  it('reports running out of the heap limit as OutOfMemoryError', async () => {
    const box = await sandbox({}, { memoryMb: 64 })
    const error = await box.run({ op: 'fill-memory' }).catch((thrown: unknown) => thrown)
    expect(OutOfMemoryError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ memoryMb: 64 })
    expect(box.size).toBe(0)
  })

  it('reports process.exit in a handler as a crash with its exit code, as a worker does', async () => {
    const box = await sandbox()
    expect(await box.run({ op: 'exit', code: 3 })).toEqual({
      kind: 'crash',
      coldStart: true,
      error: { name: 'Error', message: "The function's process exited with code 3 before answering" },
    })
    expect(await box.run({ op: 'whoami' })).toMatchObject({ kind: 'result', coldStart: true })
  })

  it('hands a request to a new instance when the one it was sent to ended before reading it', async () => {
    const box = await sandbox()
    const first = await box.run({ op: 'answer-then-exit' })
    if (first.kind !== 'result') throw new Error(`crashed: ${first.error.message}`)
    // Sent at once: the host has not yet seen the instance end, so the request goes to it and is never read.
    const second = await box.run({ op: 'whoami' })
    if (second.kind !== 'result') throw new Error(`crashed: ${second.error.message}`)
    expect((second.result as WhoAmI).pid).not.toBe(first.result)
  })

  it('reports an error thrown in a timer or an unhandled rejection as a crash with that error', async () => {
    const box = await sandbox()
    expect(await box.run({ op: 'throw-later' })).toMatchObject({
      kind: 'crash',
      error: { name: 'RangeError', message: 'thrown in a timer' },
    })
    expect(await box.run({ op: 'reject-later' })).toMatchObject({
      kind: 'crash',
      error: { name: 'SyntaxError', message: 'rejected, unhandled' },
    })
  })

  it("ignores what the user's code sends over the instance's channel", async () => {
    const box = await sandbox()
    expect(await box.run({ op: 'chatter' })).toMatchObject({ kind: 'result', result: 'answered' })
  })

  it('sends an instance one request at a time by default, and several when given a concurrency', async () => {
    const single = await sandbox()
    const busy = single.run({ op: 'sleep', ms: 300 })
    await expect(single.run({ op: 'whoami' })).rejects.toSatisfy((error) => ThrottledError.isInstance(error))
    await busy

    const shared = await sandbox({}, { concurrency: 2 })
    const { pid } = await whoami(shared)
    const both = await Promise.all([shared.run({ op: 'sleep', ms: 300 }), shared.run({ op: 'sleep', ms: 300 })])
    expect(both.map((outcome) => (outcome as { result: number }).result)).toEqual([pid, pid])
    const [, , third] = await Promise.allSettled([
      shared.run({ op: 'sleep', ms: 300 }),
      shared.run({ op: 'sleep', ms: 300 }),
      shared.run({ op: 'whoami' }),
    ])
    expect(third.status === 'rejected' && ThrottledError.isInstance(third.reason)).toBe(true)
  })

  it('stops its processes when retired', async () => {
    const box = await sandbox({}, { maxInstances: 2 })
    const pids = await Promise.all([box.run({ op: 'sleep', ms: 200 }), box.run({ op: 'sleep', ms: 200 })])
    expect(box.size).toBe(2)
    await box.retire()
    expect(box.size).toBe(0)
    for (const outcome of pids) expect(processAlive((outcome as { result: number }).result)).toBe(false)
  })
})
