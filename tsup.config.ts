import { defineConfig } from 'tsup'

export default defineConfig({
  // One entry per subpath export; each cloud gets its own so that importing
  // `cloudfn` or `cloudfn/local` never loads a cloud SDK.
  entry: {
    index: 'src/index.ts',
    local: 'providers/local/index.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  // import.meta.url is used to find the package root (shims ship as sources).
  shims: true,
  target: 'node22',
  platform: 'node',
  sourcemap: true,
  clean: true,
})
