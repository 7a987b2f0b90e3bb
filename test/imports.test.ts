import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { packageFile } from '../src/package/package-root.ts'

const CLOUD_SDKS = /^(@aws-sdk\/|@smithy\/|@google-cloud\/|google-auth-library|google-gax|@azure\/)/
/** Loaded only by functions that need them: node:http costs ~40 ms, croner ~6 ms. */
const TRIGGER_ONLY = ['node:http', 'croner']

/** Every package a module pulls in at load time, following its static imports. */
async function packagesLoadedBy(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [packageFile(entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  })
  const packages = new Set<string>()
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external && imported.kind === 'import-statement') packages.add(imported.path)
    }
  }
  return [...packages].sort()
}

describe('entry points', () => {
  it.each([
    'src/index.ts',
    'providers/local/index.ts',
    'providers/aws/index.ts',
    'providers/gcp/index.ts',
    'providers/azure/index.ts',
  ])('%s loads no cloud SDK when imported (each SDK is loaded on first use)', async (entry) => {
    const loaded = await packagesLoadedBy(entry)
    expect(loaded.filter((name) => CLOUD_SDKS.test(name))).toEqual([])
    expect(loaded.filter((name) => TRIGGER_ONLY.includes(name))).toEqual([])
    // A sanity check that the probe sees imports at all.
    expect(loaded).toContain('node:crypto')
  })

  it('the probe does see a static cloud SDK import', async () => {
    const loaded = await packagesLoadedBy('providers/aws/emulator/index.ts')
    expect(loaded.filter((name) => CLOUD_SDKS.test(name) || name.startsWith('msw'))).not.toEqual([])
  })
})
