import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineFunction, InvalidArgumentError } from 'cloudfn'
import { unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { packageFunction } from '../src/package/index.ts'
import { findNativePackages } from '../src/package/native-addons.ts'
import { packageFile, packageRoot } from '../src/package/package-root.ts'

const spec = { shimPath: packageFile('providers/local/shim.ts') }
const dir = mkdtempSync(join(packageRoot(), 'test', '.tmp-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A package in `dir/node_modules` with the given files, and a function module that imports it. */
function functionImporting(name: string, files: Record<string, string>): string {
  const root = join(dir, 'node_modules', name)
  for (const [file, text] of Object.entries({ 'package.json': JSON.stringify({ name, main: 'index.js' }), ...files })) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  const entry = join(dir, `${name.replace('/', '-')}.mjs`)
  writeFileSync(entry, `import value from '${name}'\nexport const fn = { name: 'fn', handler: () => value }\n`)
  return entry
}

const definitionAt = (entry: string) => defineFunction({ name: 'fn', entry, exportName: 'fn', handler: () => null })

async function refusal(entry: string): Promise<InvalidArgumentError> {
  const error = await packageFunction(definitionAt(entry) as never, spec).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(InvalidArgumentError.isInstance(error)).toBe(true)
  return error as InvalidArgumentError
}

describe('native addons', () => {
  it('refuses at deploy a package that loads a compiled .node file, naming it and what to do', async () => {
    const entry = functionImporting('fake-native', {
      'index.js': "module.exports = require('./build/Release/addon.node')",
      'build/Release/addon.node': 'not really an ELF file',
    })
    const error = await refusal(entry)
    expect(error.field).toBe('entry')
    expect(error.message).toContain('fake-native (build/Release/addon.node)')
    expect(error.message).toContain('pure-JavaScript or WebAssembly alternative')
  })

  it('recognises node-gyp packages and addon loaders', async () => {
    const gyp = functionImporting('fake-gyp', { 'index.js': 'module.exports = 1', 'binding.gyp': '{}' })
    expect((await refusal(gyp)).message).toContain('fake-gyp (binding.gyp)')
    const loader = functionImporting('fake-loader', { 'index.js': 'module.exports = 2' })
    writeFileSync(
      join(dir, 'node_modules', 'fake-loader', 'package.json'),
      JSON.stringify({ name: 'fake-loader', main: 'index.js', dependencies: { 'node-gyp-build': '^4' } }),
    )
    expect((await refusal(loader)).message).toContain('fake-loader (depends on node-gyp-build)')
  })

  it("finds the platform-package pattern (the addon in an optional dependency installed for this machine), as rollup's", () => {
    const rollupFile = join(packageRoot(), 'node_modules', 'rollup', 'dist', 'native.js')
    const [found] = findNativePackages([rollupFile])
    expect(found?.name).toBe('rollup')
    expect(found?.evidence).toMatch(/^@rollup\/rollup-[\w-]+\/.*\.node$/)
  })

  it('bundles a TypeScript module whose name ends in .node (env.node.ts), and a package with a JavaScript fallback', async () => {
    writeFileSync(join(dir, 'env.node.ts'), "export const where: string = 'bundled'\n")
    const entry = join(dir, 'uses-env-node.mjs')
    writeFileSync(entry, "import { where } from './env.node'\nexport const fn = { name: 'fn', handler: () => where }\n")
    const code = new TextDecoder().decode(
      unzipSync((await packageFunction(definitionAt(entry) as never, spec)).zip)['index.mjs'] as Uint8Array,
    )
    expect(code).toMatch(/["']bundled["']/)
    expect(code).not.toContain('./env.node')
    // As bufferutil: a binding.gyp and a prebuilt addon, but fallback.js when the addon cannot load.
    const withFallback = functionImporting('fake-fallback', {
      'index.js':
        "try { module.exports = require('./prebuilds/addon.node') } catch { module.exports = require('./fallback.js') }",
      'fallback.js': 'module.exports = 4',
      'binding.gyp': '{}',
      'prebuilds/addon.node': 'not really an ELF file',
    })
    expect(findNativePackages([join(dir, 'node_modules', 'fake-fallback', 'index.js')])).toEqual([])
    expect((await packageFunction(definitionAt(withFallback) as never, spec)).zip.byteLength).toBeGreaterThan(0)
  })

  it('lets pure-JavaScript packages through', async () => {
    const entry = functionImporting('@scope/pure', { 'index.js': 'module.exports = 3' })
    const artifact = await packageFunction(definitionAt(entry) as never, spec)
    expect(artifact.zip.byteLength).toBeGreaterThan(0)
    expect(findNativePackages([join(packageRoot(), 'node_modules', 'fflate', 'lib', 'index.cjs')])).toEqual([])
  })
})
