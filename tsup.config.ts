import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { defineConfig } from 'tsup'
import { providerSubpaths } from './providers/subpaths.ts'

const FIXTURES_DIR = fileURLToPath(new URL('./conformance/fixtures/', import.meta.url))

/**
 * Each conformance fixture module gets its own build entry: `functions.ts` is
 * `dist/conformance-fixtures.js`, any other `<name>.ts` is
 * `dist/conformance-fixtures-<name>.js`. Read from the folder, so a new
 * fixture module needs no edit here.
 */
const FIXTURE_ENTRIES: Record<string, string> = Object.fromEntries(
  readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => {
      const base = basename(file, '.ts')
      return [base === 'functions' ? 'conformance-fixtures' : `conformance-fixtures-${base}`, `conformance/fixtures/${file}`]
    }),
)
const FIXTURE_OUTPUT = new Map(Object.entries(FIXTURE_ENTRIES).map(([name, file]) => [join(FIXTURES_DIR, basename(file)), name]))

/**
 * The conformance fixtures are deployed by the suite, so each must stay a
 * module of its own that exports its definitions by name (the module
 * `defineFunction` records and `deploy` bundles and imports the export
 * from), not be inlined into the CLI or merged into a shared chunk, whose
 * exports esbuild renames (the deploy check then refuses the definition as
 * unexported): point imports of them at their own build output.
 */
const separateFixtures: Plugin = {
  name: 'separate-conformance-fixtures',
  setup(build) {
    build.onResolve({ filter: /fixtures\/[^/]+\.ts$/ }, (args) => {
      const output = FIXTURE_OUTPUT.get(fileURLToPath(new URL(args.path, `file://${args.resolveDir}/`)))
      return output ? { path: `./${output}.js`, external: true } : undefined
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
    // No shared chunks: each fixture module is whole (it and the inbox helper
    // it imports), so deploying one bundles only it.
    entry: FIXTURE_ENTRIES,
    format: ['esm'],
    splitting: false,
    external: ['cloudfn'],
  },
])
