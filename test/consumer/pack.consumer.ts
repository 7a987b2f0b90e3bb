/**
 * `npm run test:consumer`: the package as a user gets it. Packs this
 * repository (`prepack` builds it), installs the tarball in new ESM,
 * CommonJS and strict TypeScript (`module: NodeNext`) projects, and runs the
 * README's main uses there: the local fake in both isolation modes, one
 * cloud emulator, and the CLI. It is the test that catches a tarball without
 * `dist/`, a missing bin, exports that do not resolve, or types that only
 * work inside this repository.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
// The Node that runs this test is the pinned one (>= 22.12); the consumer runs on it too.
const node = process.execPath
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, NO_COLOR: '1' }

/** Versions from this repository's install, so the consumer's install is served from npm's cache. */
async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  return `${name}@${manifest.version}`
}

const HELLO = `import { defineFunction } from 'cloudfn'

export const hello = defineFunction({
  name: 'hello',
  env: { GREETING: 'Hello' },
  handler: async (input, ctx) => {
    ctx.log('greeting', input.name)
    return { message: \`\${process.env.GREETING}, \${input.name}!\` }
  },
})
`

const ESM_APP = `import { FunctionError } from 'cloudfn'
import { local } from 'cloudfn/local'
import { aws } from 'cloudfn/aws'
import { createAwsEmulator, FAKE_CREDENTIALS } from 'cloudfn/aws/emulator'
import { hello } from './functions/hello.mjs'

const out = {}
for (const isolation of ['inline', 'worker']) {
  const fn = await local({ isolation }).deploy(hello)
  out[isolation] = await fn.invoke({ name: isolation })
  await fn.remove()
}
const emulator = createAwsEmulator({ region: 'eu-west-1' })
emulator.listen()
try {
  const fn = await aws({ region: 'eu-west-1', credentials: FAKE_CREDENTIALS, pollIntervalMs: 5 }).deploy(hello)
  out.aws = await fn.invoke({ name: 'aws' })
  out.executions = emulator.state.executions.get('hello')
  out.functionErrorIsClass = typeof FunctionError.isInstance === 'function'
} finally {
  emulator.close()
}
console.log(JSON.stringify(out))
`

const CJS_APP = `const { defineFunction, InvalidArgumentError } = require('cloudfn')
const { local } = require('cloudfn/local')

const echo = defineFunction({ name: 'echo', handler: async (input) => ({ echoed: input }) })

;(async () => {
  const fn = await local().deploy(echo)
  const value = await fn.invoke({ a: [1, 'two'] })
  let refused = ''
  try {
    defineFunction({ name: 'Bad Name!', handler: async () => 1 })
  } catch (error) {
    refused = InvalidArgumentError.isInstance(error) ? error.code : 'other'
  }
  console.log(JSON.stringify({ value, refused }))
})()
`

const TS_APP = `import { defineFunction, type OutputOf } from 'cloudfn'
import { local } from 'cloudfn/local'
import { createMockProvider } from 'cloudfn/testing'
import { createCloud } from 'cloudfn'

export const resize = defineFunction({
  name: 'resize',
  handler: async (input: { url: string; width: number }) => ({ ok: true, width: input.width }),
})

export async function main(): Promise<number> {
  const fn = await local().deploy(resize)
  const out: OutputOf<typeof resize> = await fn.invoke({ url: 'a.png', width: 100 })
  // @ts-expect-error the input is typed from the handler
  await fn.invoke({ url: 1 })
  const mocked = createCloud(createMockProvider())
  await mocked.list()
  return out.width
}
`

/**
 * What the README's prose assumes around its snippets (a `cloud` made earlier,
 * a user's own provider), declared for the identifiers a snippet uses
 * without defining them. Names another snippet exports are imported from it.
 */
const README_CONTEXT: Record<string, string> = {
  cloud: "declare const cloud: import('cloudfn').Cloud",
  inputs: 'declare const inputs: Array<{ url: string; width: number }>',
  subscriptionId: 'declare const subscriptionId: string',
  awsEmulator: "declare const awsEmulator: import('cloudfn/aws/emulator').AwsEmulator",
  gcpEmulator: "declare const gcpEmulator: import('cloudfn/gcp/emulator').GcpEmulator",
  setupServer: "import { setupServer } from 'msw/node'",
  createCloud: "import { createCloud } from 'cloudfn'",
  withOverrides: "import { withOverrides } from 'cloudfn'",
  createMyProvider: "declare function createMyProvider(): import('cloudfn').ProviderV1",
  myProbe: "declare function myProbe(provider: import('cloudfn').ProviderV1): import('cloudfn/conformance').Probe",
  aws: "import { aws } from 'cloudfn/aws'",
  gcp: "import { gcp } from 'cloudfn/gcp'",
  azure: "import { azure } from 'cloudfn/azure'",
}

interface Snippet {
  file: string
  code: string
  line: number
}

/** The README's `ts` blocks as files of an ESM project: named by their first-line comment, else by position. */
function readmeSnippets(readme: string): Snippet[] {
  const snippets: Snippet[] = []
  const lines = readme.split('\n')
  for (let index = 0; index < lines.length; index++) {
    // Blocks inside a list item are indented: checked as well, their indent removed.
    const indent = /^( *)```ts$/.exec(lines[index] ?? '')?.[1]
    if (indent === undefined) continue
    const start = index + 1
    while (index + 1 < lines.length && lines[index + 1] !== `${indent}\`\`\``) index++
    const code = lines
      .slice(start, index + 1)
      .map((line) => line.slice(indent.length))
      .join('\n')
    const named = /^\/\/ ([\w./-]+\.ts)\n/.exec(code)?.[1]
    snippets.push({ file: named ?? `readme-line-${start}.ts`, code, line: start })
  }
  return snippets
}

/** Names a snippet binds itself (imports and declarations), which need no context. */
function boundNames(code: string): Set<string> {
  const names = new Set<string>()
  for (const [, list] of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g))
    for (const part of (list ?? '').split(','))
      names.add(
        part
          .replace(/^\s*type\s+/, '')
          .split(/\s+as\s+/)
          .pop()
          ?.trim() ?? '',
      )
  for (const [, name] of code.matchAll(/\b(?:const|let|function|class)\s+(\w+)/g)) names.add(name ?? '')
  return names
}

/** Each snippet with the context it leans on prepended: imports of other snippets' exports, then the declarations above. */
function withContext(snippets: Snippet[]): Snippet[] {
  const exporter = new Map<string, string>()
  for (const { file, code } of snippets)
    for (const [, name] of code.matchAll(/export const (\w+)/g)) exporter.set(name ?? '', file)
  return snippets.map(({ file, code, line }) => {
    const bound = boundNames(code)
    const prose = code.replace(/\/\/.*$/gm, '')
    const uses = (name: string) => !bound.has(name) && new RegExp(`\\b${name}\\b`).test(prose)
    const context: string[] = []
    for (const [name, from] of exporter) {
      if (from === file || !uses(name)) continue
      const specifier = `./${relative(dirname(file), from).replace(/\.ts$/, '.js')}`.replace(/^\.\/\.\.\//, '../')
      context.push(`import { ${name} } from '${specifier}'`)
    }
    for (const [name, declaration] of Object.entries(README_CONTEXT)) if (uses(name)) context.push(declaration)
    // The first import keeps its place; the context goes first so that the README's line numbers shift by a known amount.
    return { file, code: `${context.join('\n')}\nexport {}\n${code}\n`, line: line - context.length - 1 }
  })
}

describe('the packed package in a new project', () => {
  let dir = ''

  /** tsc's output for `files` in `project` under strict TypeScript with module NodeNext (empty when they typecheck). */
  async function typecheck(project: string, files: string[], options: Record<string, unknown>): Promise<string> {
    const compilerOptions = {
      strict: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2023',
      noEmit: true,
      types: ['node'],
    }
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files }),
    )
    const result = await run(node, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, env }).catch(
      (error: { stdout: string }) => error,
    )
    return 'stdout' in result ? result.stdout : ''
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudfn-consumer-'))
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: repo, env, maxBuffer: 64 << 20 })
    const tarball = join(dir, stdout.trim().split('\n').pop() ?? '')
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }))
    const peers = await Promise.all(
      [
        'msw',
        '@aws-sdk/client-lambda',
        '@aws-sdk/client-iam',
        '@aws-sdk/client-cloudwatch-logs',
        'typescript',
        '@types/node',
      ].map(installedVersion),
    )
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...peers], {
      cwd: dir,
      env,
      maxBuffer: 64 << 20,
    })
  })

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('ships dist/ and the cloudfn bin, and no tests or fixtures', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'node_modules/cloudfn/package.json'), 'utf8')) as {
      bin: Record<string, string>
    }
    await expect(readFile(join(dir, 'node_modules/cloudfn/dist/index.js'), 'utf8')).resolves.toContain('defineFunction')
    await expect(readFile(join(dir, 'node_modules/cloudfn', manifest.bin.cloudfn ?? ''), 'utf8')).resolves.toMatch(
      /^#!\/usr\/bin\/env node/,
    )
    await expect(readFile(join(dir, 'node_modules/cloudfn/src/define.test.ts'), 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it('runs the README example from ESM on the local fake (inline and worker) and the AWS emulator', async () => {
    await run('mkdir', ['-p', join(dir, 'functions')])
    await writeFile(join(dir, 'functions/hello.mjs'), HELLO)
    await writeFile(join(dir, 'app.mjs'), ESM_APP)
    const { stdout } = await run(node, ['app.mjs'], { cwd: dir, env })
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '')).toEqual({
      inline: { message: 'Hello, inline!' },
      worker: { message: 'Hello, worker!' },
      aws: { message: 'Hello, aws!' },
      executions: 1,
      functionErrorIsClass: true,
    })
  })

  it('runs from CommonJS with require()', async () => {
    await writeFile(join(dir, 'app.cjs'), CJS_APP)
    const { stdout } = await run(node, ['app.cjs'], { cwd: dir, env })
    expect(JSON.parse(stdout.trim())).toEqual({ value: { echoed: { a: [1, 'two'] } }, refused: 'InvalidArgument' })
  })

  it('typechecks under strict TypeScript with module NodeNext', async () => {
    await writeFile(join(dir, 'app.mts'), TS_APP)
    expect(await typecheck(dir, ['app.mts'], { skipLibCheck: false })).toBe('')
  })

  it('typechecks every TypeScript snippet of the README under strict TypeScript with module NodeNext, in an ESM project', async () => {
    const project = join(dir, 'readme')
    const snippets = withContext(readmeSnippets(await readFile(join(repo, 'README.md'), 'utf8')))
    expect(snippets.length).toBeGreaterThan(10)
    for (const { file, code } of snippets) {
      await mkdir(dirname(join(project, file)), { recursive: true })
      await writeFile(join(project, file), code)
    }
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'readme', private: true, type: 'module' }))
    // Only the snippets are under test: the optional cloud SDKs a subpath's types mention are not installed here.
    const output = await typecheck(
      project,
      snippets.map(({ file }) => file),
      { skipLibCheck: true, typeRoots: [join(dir, 'node_modules/@types')] },
    )
    // Each error said at its README line, so a failure points at the snippet to fix.
    const errors = output.replace(/^([\w./-]+\.ts)\((\d+),(\d+)\)/gm, (_, file: string, at: string, column: string) => {
      const snippet = snippets.find((entry) => entry.file === file)
      return `README.md:${(snippet?.line ?? 0) + Number(at)}:${column} (${file})`
    })
    expect(errors).toBe('')
  })

  it('deploys, invokes, lists and removes with the CLI', async () => {
    const cli = (...args: string[]) => run(node, [join(dir, 'node_modules/.bin/cloudfn'), ...args], { cwd: dir, env })
    await cli('deploy', 'functions/hello.mjs', '--provider', 'local')
    const invoked = await cli('invoke', 'hello', '--provider', 'local', '--data', '{"name":"cli"}', '--json')
    expect(JSON.parse(invoked.stdout)).toMatchObject({ value: { message: 'Hello, cli!' } })
    expect((await cli('ls', '--provider', 'local')).stdout).toContain('hello')
    expect((await cli('rm', 'hello', '--provider', 'local')).stdout).toContain('removed hello')
  })

  // The suite users run from the package: its fixtures are deployed from dist/ (each must stay a module that
  // exports its definitions, not a shared chunk) and its messages are redacted (names must stay readable).
  it('passes its own conformance suite on the local fake from the packed CLI', async () => {
    const cli = join(dir, 'node_modules/.bin/cloudfn')
    const result = await run(node, [cli, 'conformance', '--provider', 'local', '--emulate'], {
      cwd: dir,
      env,
      maxBuffer: 64 << 20,
    })
      .then(({ stdout }) => ({ code: 0, stdout }))
      .catch((error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? '' }))
    const failed = result.stdout.split('\n').filter((line) => /\bFAILED\b/.test(line))
    expect(failed).toEqual([])
    // The scenarios that deploy fixtures from their own modules, and those that match run-id names in messages.
    for (const id of [
      'queue-content',
      'schedule-event',
      'topic-fan-out',
      'storage-events',
      'scale-max-instances',
      'not-found',
      'queue-ownership',
    ])
      expect(result.stdout).toMatch(new RegExp(`^local-worker +${id} +passed`, 'm'))
    expect(result.code).toBe(0)
  })
})
