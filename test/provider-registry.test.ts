import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { manifests } from '../providers/registry.ts'
import { generate, providerFolders, staleFiles } from '../scripts/sync-providers.ts'
import { packageRoot } from '../src/package/package-root.ts'

describe('the provider registry (generated from providers/*/manifest.ts)', () => {
  it('is up to date: providers/registry.ts, providers/subpaths.ts and package.json "exports" match the manifests', async () => {
    // On failure: run `npm run providers` and commit what it wrote.
    expect(await staleFiles()).toEqual([])
  })

  it('has one manifest per provider folder, named after it', () => {
    expect(manifests.map((manifest) => manifest.name)).toEqual(providerFolders())
  })

  describe('a new folder is a new provider, with no other edit', () => {
    const root = mkdtempSync(join(tmpdir(), 'cloudfn-registry-'))
    afterAll(() => rmSync(root, { recursive: true, force: true }))

    it('appears in the registry, the subpaths and the package exports', async () => {
      cpSync(join(packageRoot(), 'package.json'), join(root, 'package.json'))
      mkdirSync(join(root, 'providers', 'acme', 'emulator'), { recursive: true })
      mkdirSync(join(root, 'providers', 'fake'), { recursive: true })
      // Plain objects: the generator reads only the data fields.
      const manifest = (name: string, extra: string) =>
        `export default { name: '${name}', description: '${name}', flags: {}, emulates: false, ${extra} }\n`
      writeFileSync(
        join(root, 'providers', 'acme', 'manifest.ts'),
        manifest('acme', `exports: { '.': './index.ts', './emulator': './emulator/index.ts' }`),
      )
      writeFileSync(
        join(root, 'providers', 'fake', 'manifest.ts'),
        manifest('fake', `default: true, exports: { '.': './index.ts' }`),
      )
      // A folder without a manifest (fixtures, shared helpers) is not a provider.
      mkdirSync(join(root, 'providers', 'shared'))

      const files = Object.fromEntries((await generate(root)).map((file) => [file.path, file.text]))
      expect(files['providers/registry.ts']).toContain(
        'export const manifests: readonly ProviderManifest[] = [acmeManifest, fakeManifest]',
      )
      expect(files['providers/subpaths.ts']).toContain(
        `  acme: 'providers/acme/index.ts',\n  'acme/emulator': 'providers/acme/emulator/index.ts',\n  fake: 'providers/fake/index.ts',\n}`,
      )
      const exports = JSON.parse(files['package.json'] ?? '{}').exports as Record<string, unknown>
      expect(exports['./acme/emulator']).toEqual({
        import: { types: './dist/acme/emulator.d.ts', default: './dist/acme/emulator.js' },
        require: { types: './dist/acme/emulator.d.cts', default: './dist/acme/emulator.cjs' },
      })
      // The real providers' entries are gone (they are not folders here); the core's stay, package.json last.
      expect(Object.keys(exports)).toEqual([
        '.',
        './testing',
        './provider-utils',
        './emulator-kit',
        './conformance',
        './conformance/vitest',
        './acme',
        './acme/emulator',
        './fake',
        './package.json',
      ])
    })

    it('refuses a manifest whose name is not its folder', async () => {
      mkdirSync(join(root, 'providers', 'misnamed'))
      writeFileSync(join(root, 'providers', 'misnamed', 'manifest.ts'), `export default { name: 'other', exports: {} }\n`)
      await expect(generate(root)).rejects.toThrow("providers/misnamed/manifest.ts: name must be 'misnamed'")
    })
  })
})
