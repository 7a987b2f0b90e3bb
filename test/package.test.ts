import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineFunction, http, queue, withOverrides } from 'cloudfn'
import { unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { httpBytes, worker } from '../conformance/fixtures/functions.ts'
import { bundleFunction } from '../src/package/bundle.ts'
import { packageFunction } from '../src/package/index.ts'
import { packageFile, packageRoot } from '../src/package/package-root.ts'
import { deterministicZip } from '../src/package/zip.ts'
import { add } from './fixtures/definitions.ts'

const spec = { shimPath: packageFile('providers/local/shim.ts') }
const decode = (zip: Uint8Array) => new TextDecoder().decode(unzipSync(zip)['index.mjs'])

describe('packageFunction', () => {
  it('bundles only the exported function it was given', async () => {
    const artifact = await packageFunction(add as never, spec)
    const code = decode(artifact.zip)
    expect(code).toContain('input.a + input.b')
    expect(code).not.toContain('OTHER_EXPORT_MARKER')
    expect(artifact.entryFile).toBe('index.mjs')
  })

  it('bakes in only what the shim needs of a trigger: queue settings do not change the code', async () => {
    const hashOf = async (definition: unknown) => (await packageFunction(definition as never, spec)).sha256
    const base = await hashOf(worker)
    expect(await hashOf(withOverrides(worker, { trigger: queue({ maxRetries: 9, batchSize: 5 }) }))).toBe(base)
    const web = await hashOf(httpBytes)
    expect(await hashOf(withOverrides(httpBytes, { trigger: http({ auth: 'public', methods: ['GET', 'POST'] }) }))).not.toBe(web)
  })

  it('keeps a hello-world artifact under 6 KB zipped', async () => {
    const artifact = await packageFunction(add as never, spec)
    // 3.2 KB before remote stacks were source-mapped; the compact map and its decoder
    // (@jridgewell/sourcemap-codec) add about 2 KB (docs/PERFORMANCE.md).
    expect(artifact.zip.byteLength).toBeLessThan(6 * 1024)
  })

  it("bundles a package's own minified build where the spec names one, keeping the user's code readable", async () => {
    const azure = {
      shimPath: packageFile('providers/azure/shim.ts'),
      external: ['@azure/functions-core'],
      minifiedBuilds: { '@azure/functions': 'dist/azure-functions.min.js' },
    }
    const minified = await packageFunction(add as never, azure)
    const whole = await packageFunction(add as never, { ...azure, minifiedBuilds: undefined })
    const code = decode(minified.zip)
    expect(code).toContain('// node_modules/@azure/functions/dist/azure-functions.min.js')
    expect(code).not.toContain('// node_modules/@azure/functions/dist/azure-functions.js\n')
    expect(code).toContain('input.a + input.b')
    // Microsoft's production build: 36 KB zipped became 29 KB for hello-world (issue #19).
    expect(minified.zip.byteLength).toBeLessThan(whole.zip.byteLength * 0.85)
  })

  it('produces identical bytes and hash for identical input', async () => {
    const input = { entry: add.entry as string, exportName: 'add', functionName: 'add', shimPath: spec.shimPath }
    const [one, two] = await Promise.all([bundleFunction(input), bundleFunction(input)])
    const zipOne = await deterministicZip({ 'index.mjs': one.code })
    const zipTwo = await deterministicZip({ 'index.mjs': two.code })
    expect(Buffer.from(zipOne).equals(Buffer.from(zipTwo))).toBe(true)
  })

  it('finds the definition by name when its module cannot be imported here', async () => {
    const input = { entry: add.entry as string, exportName: undefined, functionName: 'add', shimPath: spec.shimPath }
    const { code } = await bundleFunction(input)
    expect(new TextDecoder().decode(code)).toContain('v.name === "add"')
  })
})

describe('packageFunction cache', () => {
  const dir = mkdtempSync(join(packageRoot(), 'test', '.tmp-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reuses the artifact while sources are unchanged and rebuilds when one changes', async () => {
    const module = join(dir, 'changing.ts')
    const helper = join(dir, 'helper.ts')
    writeFileSync(helper, "export const word = 'first'\n")
    writeFileSync(
      module,
      "import { defineFunction } from 'cloudfn'\nimport { word } from './helper.ts'\nexport const changing = defineFunction({ name: 'changing', handler: () => word })\n",
    )
    const definition = defineFunction({ name: 'changing', handler: () => 'unused here', entry: module, exportName: 'changing' })
    const first = await packageFunction(definition as never, spec)
    expect(await packageFunction(definition as never, spec)).toBe(first)
    writeFileSync(helper, "export const word = 'second'\n")
    // Some file systems keep mtimes coarse; make the change visible either way.
    utimesSync(helper, new Date(), new Date(Date.now() + 5000))
    const second = await packageFunction(definition as never, spec)
    expect(second.sha256).not.toBe(first.sha256)
    expect(decode(second.zip)).toContain('"second"')
  })

  it('reports a module that does not bundle as InvalidArgument on entry', async () => {
    const broken = join(dir, 'broken.ts')
    writeFileSync(broken, "import { missing } from './nowhere.ts'\nexport const broken = missing\n")
    const definition = defineFunction({ name: 'broken', handler: () => 1, entry: broken, exportName: 'broken' })
    await expect(packageFunction(definition as never, spec)).rejects.toMatchObject({ code: 'InvalidArgument', field: 'entry' })
  })
})

describe('deterministicZip', () => {
  it('does not depend on insertion order', async () => {
    const a = new TextEncoder().encode('a')
    const b = new TextEncoder().encode('b')
    const one = await deterministicZip({ 'a.js': a, 'b.js': b })
    const two = await deterministicZip({ 'b.js': b, 'a.js': a })
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true)
  })
})

describe('packaging spec extras', () => {
  it('adds the provider files to the zip and keeps runtime-provided modules as imports', async () => {
    const artifact = await packageFunction(add as never, {
      ...spec,
      files: { 'package.json': '{"main":"index.mjs"}' },
      external: ['node:worker_threads'],
    })
    const files = unzipSync(artifact.zip)
    expect(Object.keys(files).sort()).toEqual(['index.mjs', 'package.json'])
    expect(new TextDecoder().decode(files['package.json'])).toBe('{"main":"index.mjs"}')
  })
})
