import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { providerSubpaths } from './providers/subpaths.ts'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests and examples import the package by name, as users do.
    alias: [
      { find: /^cloudfn$/, replacement: here('./src/index.ts') },
      { find: /^cloudfn\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^cloudfn\/provider-utils$/, replacement: here('./src/provider-utils.ts') },
      // Each provider's subpaths, from its manifest (providers/subpaths.ts).
      ...Object.entries(providerSubpaths).map(([subpath, source]) => ({
        find: new RegExp(`^cloudfn/${subpath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        replacement: here(`./${source}`),
      })),
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'providers/**/*.test.ts', 'conformance/**/*.test.ts', 'src/**/*.test.ts', 'cli/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
