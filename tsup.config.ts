import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { defineConfig } from 'tsup'
import { providerSubpaths } from './providers/subpaths.ts'

const FIXTURES = fileURLToPath(new URL('./conformance/fixtures/functions.ts', import.meta.url))

/**
 * The conformance fixtures are deployed by the suite, so they must stay a
 * module of their own (the one `defineFunction` records and `deploy`
 * bundles), not be inlined into the CLI: point imports of them at their own
 * build output.
 */
const separateFixtures: Plugin = {
  name: 'separate-conformance-fixtures',
  setup(build) {
    build.onResolve({ filter: /fixtures\/functions\.ts$/ }, (args) => {
      const resolved = fileURLToPath(new URL(args.path, `file://${args.resolveDir}/`))
      return resolved === FIXTURES ? { path: './conformance-fixtures.js', external: true } : undefined
    })
  },
}

const CORE_ENTRIES: Record<string, string> = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  'provider-utils': 'src/provider-utils.ts',
  'emulator-kit': 'src/emulator/index.ts',
  ...providerSubpaths,
}

const shared = { target: 'node22', platform: 'node', sourcemap: true, shims: true } as const

export default defineConfig([
  {
    ...shared,
    // One entry per subpath export; each provider gets its own (from its
    // manifest, see providers/subpaths.ts) so that importing `cloudfn` or one
    // provider never loads another provider's cloud SDK.
    entry: CORE_ENTRIES,
    format: ['esm', 'cjs'],
    // The conformance subpaths' types are built in this same pass: built apart, they
    // would declare the core's types again (a second `DEFINITION` symbol), and a
    // `Cloud` from `cloudfn` would not be the one `cloudfn/conformance` expects.
    dts: { entry: { ...CORE_ENTRIES, conformance: 'conformance/index.ts', 'conformance-vitest': 'conformance/vitest.ts' } },
    splitting: true,
  },
  {
    ...shared,
    // Everything that imports the conformance fixtures; ESM only, like the fixtures module.
    entry: {
      cli: 'cli/main.ts',
      conformance: 'conformance/index.ts',
      'conformance-vitest': 'conformance/vitest.ts',
    },
    format: ['esm'],
    dts: false,
    splitting: true,
    external: ['vitest'],
    esbuildPlugins: [separateFixtures],
  },
  {
    ...shared,
    // Imports `cloudfn` by name, so the deployed bundle gets the slim runtime.
    entry: { 'conformance-fixtures': 'conformance/fixtures/functions.ts' },
    format: ['esm'],
    external: ['cloudfn'],
  },
])
