import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packageFile, packageRoot } from '../src/package/package-root.ts'

const run = promisify(execFile)
const CLI = packageFile('dist/cli.js')
// Inside the package, so that `import ... from 'cloudfn'` in the test's modules resolves to this package.
const cwd = mkdtempSync(join(packageRoot(), 'test', '.tmp-cli-'))
// The CLI's temporary folders (unpacked artifacts) go here, so gc sees only those of this test's processes.
const tmp = join(cwd, '.tmp')
mkdirSync(tmp)

interface Result {
  code: number
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would, without a terminal (stdout is a pipe). */
function cli(...args: string[]): Promise<Result> {
  return runWith({}, ...args)
}

beforeAll(async () => {
  // The tests drive the package as built, so build it first.
  // Building takes 20 s on an idle 2-core machine and over 2 min on a loaded one: the hook's bound is a hang guard.
  await run(process.execPath, [packageFile('node_modules/tsup/dist/cli-default.js'), '--silent'], { cwd: packageRoot() })
  writeFileSync(
    join(cwd, 'greet.ts'),
    `import { defineFunction } from 'cloudfn'
export const greet = defineFunction({
  name: 'greet',
  env: { GREETING: 'Hi' },
  handler: (input: { name: string }, ctx) => {
    if (typeof input?.name !== 'string') throw new TypeError('name must be a string')
    ctx.log('greeting', input.name)
    return { message: process.env.GREETING + ', ' + input.name }
  },
})
export const other = defineFunction({ name: 'other', handler: () => 'other' })
`,
  )
  writeFileSync(
    join(cwd, 'web.ts'),
    `import { defineFunction, http } from 'cloudfn'
export const web = defineFunction({ name: 'web', trigger: http(), handler: () => new Response('hi') })
`,
  )
  writeFileSync(join(cwd, 'input.json'), '{"name":"File"}')
}, 600_000)

afterAll(() => rmSync(cwd, { recursive: true, force: true }))

describe('cloudfn CLI (local provider, built, not a TTY)', () => {
  it('deploys, invokes, lists, shows logs and removes across processes', async () => {
    const deployed = await cli('deploy', 'greet.ts#greet')
    expect(deployed).toMatchObject({ code: 0 })
    expect(deployed.stdout).toMatch(/deploy greet: package\n/)
    expect(deployed.stdout).toMatch(/created greet on local/)

    const invoked = await cli('invoke', 'greet', '--data', '{"name":"Ada"}', '--json')
    expect(invoked.code).toBe(0)
    expect(JSON.parse(invoked.stdout)).toMatchObject({ value: { message: 'Hi, Ada' }, meta: { coldStart: true } })

    const fromFile = await cli('invoke', 'greet', '--data', '@input.json', '--logs')
    expect(fromFile.stdout).toContain('"message": "Hi, File"')
    expect(fromFile.stdout).toContain('[log] greeting File')

    const listed = await cli('ls')
    expect(listed.stdout).toMatch(/^NAME\s+MEMORY\s+TIMEOUT\s+TRIGGER\s+CODE\s+UPDATED\n/)
    expect(listed.stdout).toMatch(/\ngreet\s+256 MB\s+60 s/)

    const logs = await cli('logs', 'greet', '--json')
    expect((JSON.parse(logs.stdout) as Array<{ message: string }>).map((entry) => entry.message)).toEqual([
      'greeting Ada',
      'greeting File',
    ])

    // The local fake bills nothing, and says so; its billed duration is the measured one rounded up to 1 ms.
    const costed = await cli('invoke', 'greet', '--data', '{"name":"Cy"}', '--cost')
    expect(costed.stdout).toMatch(/\nbilled \d+ ms; cost \$0 \(compute \$0, requests \$0\)\n/)
    expect(costed.stdout).toContain('  - billed duration estimated: the measured duration rounded up to 1 ms\n')
    expect(costed.stdout).toContain('  - no cloud charge: the backend declares no prices')
    const queued = await cli('invoke', 'greet', '--data', '{"name":"Di"}', '--async', '--cost')
    expect(queued.stdout).toMatch(
      /^queued execution .+\ncost: not priced \(it runs later; only the cloud’s logs or bill say for how long\)\n$/,
    )

    expect((await cli('deploy', 'greet.ts#greet', '--json')).stdout).toContain('"status": "unchanged"')
    expect((await cli('rm', 'greet')).stdout).toBe('removed greet\n')
    expect((await cli('rm', 'greet')).stdout).toBe('greet was not deployed; nothing to remove\n')
    expect(JSON.parse((await cli('ls', '--json')).stdout)).toEqual([])
  })

  it('deploy --dry-run prints the plan, one line per change, and deploys nothing', async () => {
    const planned = await cli('deploy', 'greet.ts#other', '--name', 'dry', '--dry-run')
    expect(planned).toMatchObject({ code: 0, stdout: 'create-function function:dry: 256 MB, 60 s\n' })
    const names = (JSON.parse((await cli('ls', '--json')).stdout) as Array<{ name: string }>).map((record) => record.name)
    expect(names).not.toContain('dry')
    await cli('deploy', 'greet.ts#other', '--name', 'dry')
    expect((await cli('deploy', 'greet.ts#other', '--name', 'dry', '--dry-run')).stdout).toBe('no changes to dry on local\n')
    const json = JSON.parse((await cli('deploy', 'greet.ts#greet', '--name', 'dry', '--dry-run', '--json')).stdout)
    expect(json).toMatchObject({ name: 'dry', provider: 'local', dryRun: true })
    expect(json.changes.map((change: { kind: string }) => change.kind)).toEqual(['update-code', 'update-config'])
    expect((await cli('rm', 'dry')).stdout).toBe('removed dry\n')
  })

  it('sends queue messages and lists triggers', async () => {
    const out = join(cwd, 'handled.json')
    writeFileSync(
      join(cwd, 'jobs.ts'),
      `import { appendFileSync } from 'node:fs'
import { defineFunction, queue } from 'cloudfn'
export const jobs = defineFunction({
  name: 'jobs',
  trigger: queue({ maxRetries: 1 }),
  handler: (message: { n: number }) => { appendFileSync(${JSON.stringify(out)}, JSON.stringify(message) + '\\n') },
})
`,
    )
    const deployed = await cli('deploy', 'jobs.ts')
    expect(deployed.stdout).toContain('trigger: queue (retries 1)')
    const sent = await cli('send', 'jobs', '--data', '{"n":7}', '--json')
    expect(sent.code).toBe(0)
    expect(JSON.parse(sent.stdout).messageId).toMatch(/\w/)
    expect(readFileSync(out, 'utf8')).toBe('{"n":7}\n')
    expect((await cli('ls')).stdout).toMatch(/jobs .* queue \(retries 1\)/)
    await cli('deploy', 'greet.ts#greet')
    expect((await cli('send', 'greet', '--data', '{}')).stderr).toContain('has no queue trigger')
    writeFileSync(
      join(cwd, 'page.ts'),
      `import { defineFunction, http } from 'cloudfn'
export const page = defineFunction({ name: 'page', trigger: http({ auth: 'public' }), handler: () => new Response('hi') })
`,
    )
    expect((await cli('deploy', 'page.ts')).stdout).toMatch(
      /warning: trigger: http:\/\/127\.0\.0\.1:\d+\/ is served by this process only/,
    )
    await cli('rm', 'page')
    await cli('rm', 'jobs')
    await cli('rm', 'greet')
  })

  it('asks to pick an export when the module has several', async () => {
    const result = await cli('deploy', 'greet.ts')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('exports several functions (greet, other); pick one with greet.ts#<export>')
  })

  it.each([
    [['ls', '--bogus'], 'unknown flag --bogus'],
    [['deploy', 'missing.ts'], 'no such file'],
    [['deploy', 'greet.ts#greet', '--name', 'Bad_Name'], 'options.name must be'],
    [['invoke', 'greet', '--data', 'not json'], '--data must be JSON'],
    [['ls', '--provider', 'nowhere'], '--provider nowhere is not available'],
    [['gc', '--older-than', 'soon'], '--older-than must be a number and a unit'],
    [['conformance', '--only', 'nope'], 'unknown scenario nope'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['invoke', 'greet', '--data', '{"a":1}', '--data', '{"a":2}'], '--data is given more than once'],
    [['invoke', 'greet', '--async=maybe'], '--async takes no value (got --async=maybe)'],
    [['ls', '--json=yes'], '--json takes no value'],
    [['rm', 'greet', 'other'], 'unexpected argument "other"'],
    [['invoke', 'greet', 'extra', '--data', '{}'], 'unexpected argument "extra"'],
  ])('rejects %j with exit code 2 and creates nothing', async (args, message) => {
    const result = await cli(...args)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(existsSync(join(cwd, '.cloudfn', 'local', 'greet'))).toBe(false)
  })

  it('exits 3 when the function fails and 4 when it does not exist', async () => {
    await cli('deploy', 'greet.ts#greet')
    const failed = await cli('invoke', 'greet', '--data', '{"name":1}')
    expect(failed.code).toBe(3)
    expect(failed.stderr).toContain("FunctionError: Function 'greet' threw TypeError: name must be a string")
    const missing = await cli('invoke', 'nobody')
    expect(missing.code).toBe(4)
    expect(missing.stderr).toContain("Function 'nobody' is not deployed on local")
    await cli('rm', 'greet')
  })

  it('answers scripts with a JSON error on stdout, and calls a function cannot take are usage errors (exit 2)', async () => {
    const missing = await cli('invoke', 'nobody', '--json')
    expect(missing.code).toBe(4)
    expect(JSON.parse(missing.stdout)).toMatchObject({
      exitCode: 4,
      error: { name: 'NotFoundError', code: 'NotFound', message: "Function 'nobody' is not deployed on local; deploy it first" },
    })
    expect(await cli('deploy', 'web.ts#web')).toMatchObject({ code: 0 })
    const invoked = await cli('invoke', 'web', '--json')
    expect(invoked.code).toBe(2)
    expect(JSON.parse(invoked.stdout)).toMatchObject({ exitCode: 2, error: { code: 'Unsupported' } })
    const sent = await cli('send', 'web', '--data', '{}')
    expect(sent.code).toBe(2)
    expect(sent.stderr).toContain("'web' has no queue trigger")
    await cli('rm', 'web')
  })

  it('collects functions older than a duration', async () => {
    await cli('deploy', 'greet.ts#other')
    expect(JSON.parse((await cli('gc', '--older-than', '1d', '--json')).stdout)).toEqual({
      removed: [],
      kept: ['other'],
      dryRun: false,
    })
    const meta = join(cwd, '.cloudfn', 'local', 'other', 'deployment.json')
    const saved = JSON.parse(readFileSync(meta, 'utf8'))
    saved.record.updatedAt = '2020-01-01T00:00:00.000Z'
    writeFileSync(meta, JSON.stringify(saved))
    expect((await cli('gc', '--older-than', '1d', '--dry-run')).stdout).toBe('would remove other\n')
    expect((await cli('gc', '--older-than', '1d')).stdout).toBe('removed other\n')
    expect(JSON.parse((await cli('ls', '--json')).stdout)).toEqual([])
  })

  it('compiles modules outside the source folder, and gc removes what a killed run left', async () => {
    // bundle-require keeps its compiled copy with this variable set, as a killed process would.
    const kept = await runWith({ BUNDLE_REQUIRE_PRESERVE: '1' }, 'deploy', 'greet.ts#other')
    expect(kept.code).toBe(0)
    expect(readdirSync(cwd).filter((name) => name.includes('.bundled_'))).toEqual([])
    const temp = join(cwd, '.cloudfn', 'tmp')
    const [left] = readdirSync(temp)
    expect(left).toMatch(/^greet\.ts\.bundled_\d+_[0-9a-f]+\.mjs$/)
    const collected = await cli('gc', '--older-than', '1d', '--dry-run')
    expect(collected.stdout).toBe(`would remove temp:${join(temp, left as string)}\n`)
    expect((await cli('gc', '--older-than', '1d')).stdout).toBe(`removed temp:${join(temp, left as string)}\n`)
    expect(readdirSync(temp)).toEqual([])
    await cli('rm', 'other')
  })

  it('reads defaults from cloudfn.config.ts', async () => {
    writeFileSync(join(cwd, 'cloudfn.config.ts'), "export default { provider: 'nowhere' }\n")
    try {
      const result = await cli('ls')
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("provider 'nowhere' in cloudfn.config.ts is not available")
    } finally {
      rmSync(join(cwd, 'cloudfn.config.ts'))
    }
  })

  it('fails a conformance run in which no scenario ran, unless --allow-skipped', async () => {
    // Real AWS without credentials: every scenario is skipped with the reason.
    const bare = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' }
    const skipped = await runWith(bare, 'conformance', '--provider', 'aws', '--only', 'lifecycle')
    expect(skipped.stdout).toContain('0 passed, 0 failed, 0 not supported, 1 skipped')
    expect(skipped.code).toBe(1)
    expect(skipped.stderr).toContain('no scenario ran')
    expect(skipped.stderr).toContain('--allow-skipped')
    const allowed = await runWith(bare, 'conformance', '--provider', 'aws', '--only', 'lifecycle', '--allow-skipped')
    expect(allowed.code).toBe(0)
  })

  it('prints no ANSI colour when stdout is not a terminal', async () => {
    // Vitest sets TEST, which alone turns citty's colours off: cleared, as in a user's shell.
    const result = await runWith({ TEST: '', CI: '', NO_COLOR: '' }, 'deploy', '--help')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('cloudfn deploy')
    expect(result.stdout).not.toContain('\u001b[')
  })

  it('prints help with examples for every command', async () => {
    for (const command of ['deploy', 'invoke', 'ls', 'logs', 'rm', 'gc', 'conformance']) {
      const result = await cli(command, '--help')
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`cloudfn ${command}`)
      expect(result.stdout).toContain('Examples:')
    }
  })

  it('runs conformance scenarios and writes JSON and JUnit reports', async () => {
    const result = await cli('conformance', '--only', 'lifecycle,out-of-memory', '--json', 'report.json', '--junit', 'report.xml')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/local-worker\s+out-of-memory\s+passed/)
    expect(result.stdout).toMatch(/local-inline\s+out-of-memory\s+not supported: this target does not enforce memory limits/)
    expect(result.stdout).toContain('3 passed, 0 failed, 1 not supported, 0 skipped')
    const report = JSON.parse(readFileSync(join(cwd, 'report.json'), 'utf8'))
    expect(report.summary).toEqual({ passed: 3, failed: 0, 'not-supported': 1, skipped: 0 })
    expect(readFileSync(join(cwd, 'report.xml'), 'utf8')).toContain(
      '<testsuite name="local-worker" tests="2" failures="0" skipped="0">',
    )
  })
})

describe.each(['aws', 'gcp', 'azure'])('cloudfn CLI --provider %s --emulate (built, not a TTY)', (provider) => {
  it('runs every command against a fresh in-process emulator', async () => {
    const flags = ['--provider', provider, '--emulate']
    // Each command is its own process with its own emulator, so they can run side by side.
    const [deployed, listed, invoked, logs, removed, collected, conformance, planned] = await Promise.all([
      cli('deploy', 'greet.ts#greet', ...flags),
      cli('ls', ...flags, '--json'),
      cli('invoke', 'greet', '--data', '{"name":"Ada"}', ...flags),
      cli('logs', 'greet', ...flags),
      cli('rm', 'greet', ...flags),
      cli('gc', '--older-than', '1d', ...flags, '--json'),
      cli('conformance', '--only', 'lifecycle,user-error', ...flags),
      cli('deploy', 'greet.ts#greet', '--dry-run', ...flags),
    ])
    expect(deployed.code).toBe(0)
    expect(deployed.stdout).toContain(`created greet on ${provider}`)
    expect(JSON.parse(listed.stdout)).toEqual([])
    // A fresh emulator holds nothing: the provider's NotFound, exit code 4.
    expect(invoked.code).toBe(4)
    expect(invoked.stderr).toMatch(/NotFoundError/)
    expect(logs.code).toBe(4)
    expect(removed.stdout).toBe('greet was not deployed; nothing to remove\n')
    expect(JSON.parse(collected.stdout)).toEqual({ removed: [], kept: [], dryRun: false })
    expect(conformance.code).toBe(0)
    expect(conformance.stdout).toContain('2 passed, 0 failed')
    expect(conformance.stdout).toMatch(new RegExp(`${provider}-emulated\\s+user-error\\s+passed`))
    // A fresh emulator holds nothing: the plan is the creation (the conformance scenario plan-deploy checks it writes nothing).
    expect(planned).toMatchObject({ code: 0 })
    expect(planned.stdout.split('\n')[0]).toBe('create-function function:greet: 256 MB, 60 s, env GREETING')
  }, 300_000)

  it('asks for the provider flags it needs without --emulate, sending nothing', async () => {
    const result = await cli('ls', '--provider', provider)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`--provider ${provider} needs --`))
  })

  it('needs no emulator (nor msw) without --emulate', async () => {
    // A user of a real cloud installs its SDK, not msw: make msw unresolvable, as it is in their project.
    const hook = join(cwd, 'no-msw.mjs')
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module'
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'msw' || specifier.startsWith('msw/')) throw Object.assign(new Error("Cannot find package 'msw'"), { code: 'ERR_MODULE_NOT_FOUND' })
    return next(specifier, context)
  },
})
`,
    )
    const result = await runWith({ NODE_OPTIONS: `--import=${hook}` }, 'ls', '--provider', provider)
    expect(result.stderr).not.toContain('msw')
    expect(result.code).toBe(2)
  })
})

describe('cloudfn conformance against real accounts', () => {
  it('says what it would create and cost, and refuses without --yes when it cannot ask', async () => {
    const { stdout, stderr, code } = await runWith(
      { AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE', AWS_SECRET_ACCESS_KEY: 'fake', CLOUDFN_AWS_REGION: 'eu-west-1' },
      'conformance',
      '--provider',
      'aws',
    )
    expect(code).toBe(2)
    expect(stdout).toContain('aws: creates about 30 small Lambda functions')
    expect(stdout).toContain('estimated cost:')
    expect(stderr).toContain('pass --yes to go ahead')
  })
})

/** Like `cli`, with extra environment variables. */
async function runWith(env: Record<string, string>, ...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      cwd,
      timeout: 60_000,
      env: { ...process.env, TMPDIR: tmp, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
