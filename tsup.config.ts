import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { defineConfig } from 'tsup'

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

const shared = { target: 'node22', platform: 'node', sourcemap: true, shims: true } as const

export default defineConfig([
  {
    ...shared,
    // One entry per subpath export; each cloud gets its own so that importing
    // `cloudfn` or `cloudfn/local` never loads a cloud SDK.
    entry: {
      index: 'src/index.ts',
      local: 'providers/local/index.ts',
      testing: 'src/testing/index.ts',
      aws: 'providers/aws/index.ts',
      'aws/emulator': 'providers/aws/emulator/index.ts',
      gcp: 'providers/gcp/index.ts',
      'gcp/emulator': 'providers/gcp/emulator/index.ts',
      azure: 'providers/azure/index.ts',
      'azure/emulator': 'providers/azure/emulator/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
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
    dts: { entry: { conformance: 'conformance/index.ts', 'conformance-vitest': 'conformance/vitest.ts' } },
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
