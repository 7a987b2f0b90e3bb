import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { DeployCheckError, type FunctionDefinition, InvalidArgumentError } from 'cloudfn'
import { afterAll, describe, expect, it } from 'vitest'
import { literalFileReads } from '../src/package/file-reads.ts'
import { findExportName, importLimit } from '../src/package/find-export.ts'
import { packageFunction } from '../src/package/index.ts'
import { packageFile, packageRoot } from '../src/package/package-root.ts'
import { topLevelCode } from '../src/package/top-level-code.ts'

const spec = { shimPath: packageFile('providers/local/shim.ts') }
// Inside the package, so that `import ... from 'cloudfn'` in these modules resolves to it.
const dir = mkdtempSync(join(packageRoot(), 'test', '.tmp-checks-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

/** The error packaging `definition` fails with (undefined if it packages). */
async function refusal(definition: unknown): Promise<unknown> {
  return packageFunction(definition as never, spec).then(
    () => undefined,
    (error: unknown) => error,
  )
}

describe('a definition that its module does not export', () => {
  const file = write(
    'factory.mjs',
    `import { defineFunction } from 'cloudfn'
const handler = () => 'shared'
const make = (name) => defineFunction({ name, handler })
export const first = make('first')
export const second = make('second')
const hidden = make('hidden')
export const settings = { handler }
export function hiddenOne() { return hidden }
export function madeElsewhere(name) { return defineFunction({ name, handler: () => name }) }
`,
  )

  it('is refused at deploy, not deployed as the code of an exported sibling with the same handler', async () => {
    const module = (await import(file)) as Record<string, () => FunctionDefinition>
    const error = await refusal((module.hiddenOne as () => FunctionDefinition)())
    expect(DeployCheckError.isInstance(error)).toBe(true)
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ check: 'unexported-definition', file, field: 'entry', name: 'DeployCheckError' })
    expect((error as Error).message).toContain(`function 'hidden' is not exported by ${file}`)
    expect((error as Error).message).toContain('Export it (export const hidden = ...)')
  })

  it('as is one a factory made for the caller, who did not export it', async () => {
    const module = (await import(file)) as Record<string, (name: string) => FunctionDefinition>
    const error = await refusal((module.madeElsewhere as (name: string) => FunctionDefinition)('made-by-factory'))
    expect(error).toMatchObject({ check: 'unexported-definition' })
    expect((error as Error).message).toContain('pass that module as entry')
  })

  it('still finds each exported definition by its own export', async () => {
    const module = (await import(file)) as Record<string, FunctionDefinition>
    expect(await findExportName(module.second as never, file)).toBe('second')
    expect(await findExportName(module.first as never, file)).toBe('first')
  })

  it('tells a DeployCheckError apart from other InvalidArgumentErrors', () => {
    const plain = new InvalidArgumentError({ field: 'entry', message: 'x' })
    expect(DeployCheckError.isInstance(plain)).toBe(false)
    expect(DeployCheckError.isInstance(new DeployCheckError({ check: 'missing-file', file: '/a', message: 'm' }))).toBe(true)
  })
})

/** Runs `file` with node as a user would, `cloudfn` resolved to this package's sources. */
async function runWithNode(file: string): Promise<{ code: number; stderr: string }> {
  const hook = write(
    'hook.mjs',
    `import { registerHooks } from 'node:module'
const map = { cloudfn: ${JSON.stringify(packageFile('src/index.ts'))}, 'cloudfn/local': ${JSON.stringify(packageFile('providers/local/index.ts'))} }
registerHooks({
  resolve(specifier, context, next) {
    if (specifier in map) return { url: 'file://' + map[specifier], shortCircuit: true }
    return next(specifier, context)
  },
})
`,
  )
  return promisify(execFile)(process.execPath, ['--import', hook, file], { cwd: dir, timeout: 60_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  )
}

describe('a module that defines the function and runs app code at its top level', () => {
  it('is refused at deploy when it starts a server or loops over a stream, naming each line', async () => {
    const file = write(
      'app-and-function.mjs',
      `import { defineFunction } from 'cloudfn'
export const api = defineFunction({ name: 'api', handler: () => 'hi' })
console.log('app started')
const app = { listen: (port) => ({ port }) }
app.listen(3000)
export const server = app.listen(3000)
for await (const line of []) console.log(line)
if (import.meta.main) app.listen(3000)
`,
    )
    const { api } = (await import(file)) as { api: FunctionDefinition }
    const error = await refusal(api)
    expect(DeployCheckError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ check: 'top-level-code', file, line: 5 })
    const message = (error as Error).message
    expect(message).toContain("function 'api' is defined in test/")
    expect(message).toContain('app-and-function.mjs:5  app.listen(3000)')
    // As written, not as esbuild reprints it (3e3).
    expect(message).toContain('app-and-function.mjs:6  export const server = app.listen(3000)')
    expect(message).toContain('app-and-function.mjs:7  for await (const line of []) console.log(line)')
    // Initialisation and a guarded start are not refused.
    expect(message).not.toMatch(/:3 |:4 |:8 /)
    expect(message).toContain('Move that app code into another module that imports the definition')
  })

  it('lets through imports, declarations, initialisation and guarded configuration checks (TypeScript included)', async () => {
    const file = write(
      'initialises.ts',
      `import { defineFunction } from 'cloudfn'
import './side-effect-free.ts'
enum Level { Low, High }
declare global { var seen: number }
namespace Util { export const one = 1 }
export namespace Shared { export const two = 2 }
const client = new Map<string, Level>([['a', Level.High]])
const banner = \`multi
line \${client.size}
text\`
process.env.TZ ??= 'UTC'
globalThis.seen = 0
if (!process.env.PATH) throw new Error('PATH is not set')
for (const key of ['x']) client.set(key, Level.Low)
const Sentry = { init: (options: { dsn: string }) => options }
Sentry.init({ dsn: 'https://example.invalid/1' })
console.log('cold start')
process.on('warning', () => {})
const db = { connect: async () => true }
await db.connect()
;(async () => {
  await Promise.resolve()
})()
const app = { listen: (port: number) => port }
if (import.meta.main) app.listen(3000)
export const init = defineFunction({ name: 'init', handler: () => banner + client.size + Util.one + Shared.two })
export default init
`,
    )
    write('side-effect-free.ts', 'export const nothing = 1\n')
    const { init } = (await import(file)) as { init: FunctionDefinition }
    const artifact = await packageFunction(init as never, spec)
    expect(artifact.zip.byteLength).toBeGreaterThan(0)
  })

  it('reads decorated classes (NestJS, TypeORM) as declarations', async () => {
    // Checked without importing: this test runner's transform does not lower decorators.
    const file = write(
      'decorated.ts',
      `function Injectable(): ClassDecorator { return () => {} }
@Injectable()
export class Service {}
@Injectable() class Inner {}
export const inner = new Inner()
`,
    )
    expect(await topLevelCode(file)).toEqual([])
  })

  // As a user writes it: the function and the app that deploys it in one module, run with node.
  it.each([
    {
      when: 'when a statement of the module awaits its own deploy',
      file: 'deploys-itself.mjs',
      app: "const handle = await local({ isolation: 'worker' }).deploy(fn)\nconsole.log(await handle.invoke({}))",
      named:
        "deploys-itself.mjs, and that import can never finish: deploys-itself.mjs:4 (const handle = await local({ isolation: 'worker' }).deploy(fn))",
    },
    {
      when: 'when only a declaration awaits it',
      file: 'deploys-itself-quietly.mjs',
      app: "export const handle = await local({ isolation: 'worker' }).deploy(fn)",
      named:
        'imports its module deploys-itself-quietly.mjs, and that import can never finish: deploys-itself-quietly.mjs:4 (export const handle = await',
    },
  ])(
    'fails the deploy with an error naming the import that can never finish, instead of exiting 13, $when',
    async ({ file, app, named }) => {
      const path = write(
        file,
        `import { defineFunction } from 'cloudfn'
import { local } from 'cloudfn/local'
export const fn = defineFunction({ name: 'fn', handler: () => 'hi' })
${app}
`,
      )
      const result = await runWithNode(path)
      expect(result.stderr).not.toContain('unsettled top-level await')
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('DeployCheckError')
      expect(result.stderr).toContain(named)
      expect(result.stderr).toContain('Move the app code')
    },
  )

  it('fails after the import limit when a top-level await never settles and something else keeps the process alive', async () => {
    const file = write(
      'waits-forever.mjs',
      `import { defineFunction } from 'cloudfn'
export const waits = defineFunction({ name: 'waits', handler: () => 'hi' })
export const server = await new Promise(() => {})
`,
    )
    const definition = { ...((await import(join(dir, 'factory.mjs'))) as { first: object }).first, name: 'waits' }
    const saved = importLimit.ms
    // A hang guard being tested: the import never settles, so any limit is reached.
    importLimit.ms = 50
    try {
      const error = await findExportName({ ...definition, exportName: undefined } as never, file).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect(error).toMatchObject({ check: 'top-level-code', file, line: 3 })
      expect((error as Error).message).toContain('has not finished after 0.05 s: test/')
      expect((error as Error).message).toContain('waits-forever.mjs:3 (export const server = await new Promise(() => {}))')
    } finally {
      importLimit.ms = saved
    }
  })
})

describe('reads of files next to the source that the artifact would not have', () => {
  const folder = join(dir, 'reads')
  mkdirSync(join(folder, 'data', 'nested'), { recursive: true })
  mkdirSync(join(folder, 'lib'), { recursive: true })
  writeFileSync(join(folder, 'data', 'config.json'), '{"ok":true}')
  writeFileSync(join(folder, 'data', 'nested', 'a.json'), '{}')
  writeFileSync(join(folder, 'data.json'), '{}')
  writeFileSync(join(folder, 'lib', 'template.html'), '<p></p>')
  writeFileSync(
    join(folder, 'lib', 'render.ts'),
    `import { readFileSync } from 'node:fs'
import { join } from 'node:path'
export const render = () => readFileSync(join(__dirname, 'template.html'), 'utf8')
export const unused = () => readFileSync(join(__dirname, 'never-bundled.txt'), 'utf8')
`,
  )
  writeFileSync(join(folder, 'lib', 'never-bundled.txt'), 'x')

  /** A module in `folder` whose handler runs `body`, defined with `include`. */
  async function definitionReading(name: string, body: string, include?: string[]): Promise<FunctionDefinition> {
    const file = join(folder, `${name}.ts`)
    writeFileSync(
      file,
      `import { existsSync, readFileSync } from 'node:fs'
import path, { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineFunction } from 'cloudfn'
import { render } from './lib/render.ts'
const here = path.dirname(fileURLToPath(import.meta.url))
export const fn = defineFunction({
  name: ${JSON.stringify(name)},
  ${include ? `include: ${JSON.stringify(include)},` : ''}
  handler: (input: string) => {
    ${body}
  },
})
`,
    )
    return ((await import(file)) as { fn: FunctionDefinition }).fn
  }

  it.each([
    ["return readFileSync(join(import.meta.dirname, 'data/config.json'), 'utf8')", 11, "include: ['data/config.json']"],
    ["return readFileSync(new URL('./data.json', import.meta.url), 'utf8')", 11, "include: ['data.json']"],
    ["return readFileSync(path.resolve(here, 'data', 'config.json'), 'utf8')", 11, "include: ['data/config.json']"],
    ["return readFileSync(join(here, 'data', input), 'utf8')", 11, "include: ['data/**']"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the template is the module's source
    ['return readFileSync(`${import.meta.dirname}/data/nested/a.json`)', 11, "include: ['data/nested/a.json']"],
  ])('refuses %s, naming the line and the include that ships it', async (body, line, fix) => {
    const error = await refusal(await definitionReading(`reads-${line}-${fix.length}-${body.length}`, body))
    expect(DeployCheckError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ check: 'missing-file', line })
    expect((error as Error).message).toContain('would fail with ENOENT')
    expect((error as Error).message).toContain(`:${line}  `)
    expect((error as Error).message).toContain(`add ${fix} to the definition`)
  })

  it('says to move a file above the entry folder, which include cannot ship, and reads by concatenation', async () => {
    writeFileSync(join(dir, 'outside.json'), '{}')
    const error = await refusal(
      await definitionReading(
        'reads-outside',
        "return readFileSync(join(import.meta.dirname, '..', 'outside.json'), 'utf8') + readFileSync(__dirname + '/data.json')",
      ),
    )
    expect(error).toMatchObject({ check: 'missing-file', line: 11 })
    const message = (error as Error).message
    expect(message).toContain(
      `include ships only files below the entry module's folder (${folder}): move ${join(dir, 'outside.json')} below it`,
    )
    expect(message).toContain("__dirname + '/data.json'\n    add include: ['data.json'] to the definition")
  })

  it('deploys the same reads once include ships the files', async () => {
    const definition = await definitionReading(
      'reads-shipped',
      "return readFileSync(join(import.meta.dirname, 'data/config.json'), 'utf8') + readFileSync(join(here, 'data', input))",
      ['data/**'],
    )
    expect((await packageFunction(definition as never, spec)).zip.byteLength).toBeGreaterThan(0)
  })

  it("refuses a helper's read relative to its own folder, which the bundle does not keep, and ignores code the bundle dropped", async () => {
    const error = await refusal(await definitionReading('reads-in-helper', 'return render()', ['data/**']))
    expect(error).toMatchObject({ check: 'missing-file', file: join(folder, 'lib', 'render.ts'), line: 3 })
    const message = (error as Error).message
    expect(message).toContain(`so this reads ${join(folder, 'template.html')}`)
    expect(message).toContain("join(import.meta.dirname, 'lib/template.html')")
    expect(message).toContain("include: ['lib/template.html']")
    expect(message).not.toContain('never-bundled.txt')
  })

  it('leaves alone the folder above (a root to build paths from) and .env files (dotenv reads them where they exist)', async () => {
    writeFileSync(join(folder, '.env'), 'SECRET=1')
    const definition = await definitionReading(
      'reads-root-and-env',
      "const root = path.resolve(here, '..'); readFileSync(join(here, '.env')); return root + new URL('..', import.meta.url).href",
    )
    expect((await packageFunction(definition as never, spec)).zip.byteLength).toBeGreaterThan(0)
  })

  it('names a read spelt twice on one line once', async () => {
    const error = await refusal(
      await definitionReading(
        'reads-twice',
        "const p = join(here, 'data.json'); return existsSync(join(here, 'data.json')) ? readFileSync(join(here, 'data.json')) : ''",
      ),
    )
    expect(((error as Error).message.match(/data\.json'\)\n/g) ?? []).length).toBeLessThanOrEqual(1)
    expect((error as Error).message.split("add include: ['data.json']").length).toBe(2)
  })

  it('leaves alone reads of files that do not exist here, and paths it cannot see', async () => {
    const definition = await definitionReading(
      'reads-nothing-known',
      "readFileSync(join(import.meta.dirname, 'made-at-run-time.json')); return readFileSync(join(import.meta.dirname, input))",
    )
    expect((await packageFunction(definition as never, spec)).zip.byteLength).toBeGreaterThan(0)
  })
})

describe('literalFileReads', () => {
  it('finds the obvious spellings of a path next to the module, and leaves comments and computed paths alone', () => {
    const source = `const here = dirname(fileURLToPath(import.meta.url))
const a = readFileSync(__dirname + '/data.json')
const b = readdirSync(__dirname + '/templates/' + name)
// readFileSync(join(here, 'commented.json'))
const c = readFileSync(join(here,
  'multi', 'line.json'))
const d = readFileSync(other.__dirname + '/not-the-module-folder.json')
const e = readFileSync(join(import.meta.dirname, name))
const f = readFileSync(path.join(__dirname, '..', 'shared', 'x.json'))
`
    expect(literalFileReads(source).map(({ line, path, complete }) => ({ line, path, complete }))).toEqual([
      { line: 2, path: 'data.json', complete: true },
      { line: 3, path: 'templates', complete: false },
      { line: 5, path: 'multi/line.json', complete: true },
      { line: 9, path: '../shared/x.json', complete: true },
    ])
  })
})
