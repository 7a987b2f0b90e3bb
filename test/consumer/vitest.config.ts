import { defineConfig } from 'vitest/config'

// The consumer test uses the packed tarball installed in a new project, never this repository's sources:
// no aliases here, unlike the main config.
export default defineConfig({
  test: {
    include: ['test/consumer/**/*.consumer.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
})
