/**
 * Lambda's Init phase, apart from the invocation's timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):
 * the code loads when the instance starts, under its own budget, and a load
 * that outruns the budget goes on inside the first invocation, under the
 * function's timeout. The host script runs in a process sandbox as the
 * emulator runs it (runtime.ts), with the budget shortened.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TimeoutError } from '../../../src/errors/timeout.ts'
import { packageFile } from '../../../src/package/package-root.ts'
import { compileHostScript } from '../../../src/sandbox/host-script.ts'
import { createProcessSandbox, type Sandbox } from '../../../src/sandbox/process-sandbox.ts'
import type { HostData, HostReply, HostRequest } from './protocol.ts'

const codeDir = mkdtempSync(join(tmpdir(), 'cloudfn-init-phase-'))
const opened: Array<Sandbox<HostRequest, HostReply>> = []

afterAll(async () => {
  await Promise.all(opened.map((box) => box.retire()))
  rmSync(codeDir, { recursive: true, force: true })
})

async function instance(file: string, source: string, data: Partial<HostData>, timeoutSec: number) {
  writeFileSync(join(codeDir, file), source)
  const workerData: HostData = { codeDir, handler: `${file.replace(/\.mjs$/, '')}.handler`, runtime: 'nodejs22.x', ...data }
  const box = createProcessSandbox<HostRequest, HostReply>({
    cwd: codeDir,
    provider: 'aws',
    name: 'init-phase',
    workerFile: await compileHostScript(packageFile('providers/aws/emulator/host.ts')),
    workerData,
    env: {},
    memoryMb: 128,
    timeoutSec,
    maxInstances: 1,
    // Hang guard only: an instance that never turns ready shows as a crash after this.
    startupTimeoutSec: 60,
  })
  opened.push(box)
  return box
}

function request(timeoutSec: number): HostRequest {
  return {
    event: '{}',
    requestId: 'r-1',
    deadline: Date.now() + timeoutSec * 1000,
    functionName: 'init-phase',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:init-phase',
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/init-phase',
    logStreamName: 'stream',
    traceId: 'Root=1-00000000-000000000000000000000000',
  }
}

describe("the AWS emulator's Init phase", () => {
  it('loads the code before the first invocation, and reports its Init Duration once', async () => {
    const box = await instance('quick.mjs', `console.log('loading'); export const handler = async () => 'ran'`, {}, 30)
    const first = await box.run(request(30))
    expect(first).toMatchObject({ kind: 'result', coldStart: true, result: { ok: true, body: '"ran"' } })
    const reply = (first as { result: HostReply }).result
    expect(reply.initMs).toBeGreaterThan(0)
    // What the module wrote while loading belongs to the first invocation's log, as on Lambda.
    expect(reply.output).toContain('loading')
    const second = await box.run(request(30))
    expect(second).toMatchObject({ kind: 'result', coldStart: false, result: { ok: true, initMs: undefined } })
  })

  it('hands a load that outruns the Init budget to the first invocation, which times out on it', async () => {
    // Never finishes loading. With the budget over the instance turns ready, and the invocation waits under
    // the function's 1 s timeout, instead of the instance hanging until the start-up guard.
    const box = await instance(
      'hang.mjs',
      'await new Promise(() => {})\nexport const handler = async () => 1',
      { initTimeoutSec: 0.2 },
      1,
    )
    await expect(box.run(request(1))).rejects.toSatisfy((error) => TimeoutError.isInstance(error))
  }, 120_000)
})
