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
      { find: /^cloudfn\/emulator-kit$/, replacement: here('./src/emulator/index.ts') },
      { find: /^cloudfn\/conformance$/, replacement: here('./conformance/index.ts') },
      { find: /^cloudfn\/conformance\/vitest$/, replacement: here('./conformance/vitest.ts') },
      // Each provider's subpaths, from its manifest (providers/subpaths.ts).
      ...Object.entries(providerSubpaths).map(([subpath, source]) => ({
        find: new RegExp(`^cloudfn/${subpath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        replacement: here(`./${source}`),
      })),
    ],
  },
  test: {
    include: [
      'test/**/*.test.ts',
      'providers/**/*.test.ts',
      'conformance/**/*.test.ts',
      'src/**/*.test.ts',
      'cli/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    // Hang guards only, never a measure of speed: tests that deploy several functions took over 30 s each with the
    // machine loaded (load average 17-48 on 2 cores: a CPU hog and other test runs beside `npm test`).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Vitest's default is availableParallelism - 1 workers for `vitest run`, i.e. a single worker on a
    // 2-core machine: the files ran one after another (the durations in a full run's log sum to its wall time).
    // Most files wait on child processes (function instances, the CLI, deploy loops) for part of their time,
    // so a second file fills the gaps. Measured on 11 mid-sized files with the machine already saturated
    // (load 30 on 2 cores): 287 s with one worker, 256 s with two; both green. Module isolation stays on:
    // without it a file's vi.mock of a module another file loaded first no longer applies
    // (providers/local/triggers.test.ts failed under --no-isolate).
    maxWorkers: 2,
  },
})
