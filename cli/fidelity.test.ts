/**
 * `cloudfn fidelity <dir>` and `cloudfn conformance --record <dir>`, run in
 * this process (the built CLI's tests are in cli.test.ts): the table, the exit
 * code with and without the allow-list, and recording's gate on credentials.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ArgsDef, type CommandDef, runCommand } from 'citty'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { conformance } from './commands/conformance.ts'
import { fidelity } from './commands/fidelity.ts'

const dir = mkdtempSync(join(tmpdir(), 'cloudfn-fidelity-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => {
  process.exitCode = undefined
  vi.restoreAllMocks()
})

const HOST = 'lambda.us-east-1.amazonaws.com'
const AUTH =
  'AWS4-HMAC-SHA256 Credential=<access-key-id>/20261207/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=<signature>'

function transcript(status: number, code: string) {
  return {
    format: 'cloudfn-transcript/1',
    provider: 'aws',
    scenario: 'missing',
    source: { kind: 'converted', origin: 'written for this test' },
    exchanges: [
      {
        request: {
          method: 'GET',
          host: HOST,
          path: '/2015-03-31/functions/nope',
          query: [],
          headers: { authorization: AUTH },
          body: null,
        },
        response: {
          status,
          headers: { 'x-amzn-errortype': code },
          body: { json: { Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:<account-id>:function:nope' } },
        },
      },
    ],
  }
}

async function run<T extends ArgsDef>(command: CommandDef<T>, ...rawArgs: string[]) {
  const lines: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.join(' '))
  })
  await runCommand(command, { rawArgs })
  return { stdout: lines.join('\n'), code: process.exitCode ?? 0 }
}

describe('cloudfn fidelity', () => {
  it('prints a table of matches and exits 0 when every recorded answer is reproduced', async () => {
    const folder = join(dir, 'good')
    mkdirSync(join(folder, 'aws'), { recursive: true })
    writeFileSync(join(folder, 'aws', 'missing.json'), JSON.stringify(transcript(404, 'ResourceNotFoundException')))
    const { stdout, code } = await run(fidelity, folder)
    expect(stdout).toMatch(/aws\/missing\.json\s+0\s+GET \/2015-03-31\/functions\/nope\s+match/)
    expect(stdout).toContain('1 transcripts: 1 match, 0 differ')
    expect(code).toBe(0)
  })

  it('exits non-zero on a difference, and 0 once the allow-list names it with its reason', async () => {
    const folder = join(dir, 'bad')
    mkdirSync(join(folder, 'aws'), { recursive: true })
    writeFileSync(join(folder, 'aws', 'missing.json'), JSON.stringify(transcript(403, 'AccessDeniedException')))
    const differs = await run(fidelity, folder)
    expect(differs.stdout).toContain('DIFFERS status: recorded 403 / emulator 404')
    expect(differs.stdout).toContain('DIFFERS code: recorded AccessDeniedException / emulator ResourceNotFoundException')
    expect(differs.code).toBe(1)
    process.exitCode = undefined
    writeFileSync(
      join(folder, 'allow-list.json'),
      JSON.stringify({
        allowed: [{ transcript: 'aws/missing.json', exchange: 0, reason: 'test: pretend AWS answered 403 here' }],
      }),
    )
    const allowed = await run(fidelity, folder)
    expect(allowed.stdout).toContain('allowed (test: pretend AWS answered 403 here) status: recorded 403 / emulator 404')
    expect(allowed.code).toBe(0)
  })
})

describe('cloudfn conformance --record', () => {
  it('is skipped with the reason when the real cloud has no credentials, and writes nothing', async () => {
    const saved = { ...process.env }
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
      delete process.env[name]
    const out = join(dir, 'recordings')
    try {
      const { stdout } = await run(conformance, '--provider', 'aws', '--only', 'lifecycle', '--record', out, '--allow-skipped')
      expect(stdout).toContain('aws: not recorded: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)')
      expect(stdout).toMatch(/aws\s+lifecycle\s+skipped/)
    } finally {
      process.env = saved
    }
    expect(() => readdirSync(out)).toThrow('ENOENT')
  })

  it('refuses --record with --emulate: an emulated run has nothing to record', async () => {
    await expect(run(conformance, '--provider', 'aws', '--emulate', '--record', join(dir, 'x'))).rejects.toThrow(
      '--record records real clouds',
    )
  })
})
