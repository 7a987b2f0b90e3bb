import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests and examples import the package by name, as users do.
    alias: [
      { find: /^cloudfn$/, replacement: here('./src/index.ts') },
      { find: /^cloudfn\/local$/, replacement: here('./providers/local/index.ts') },
      { find: /^cloudfn\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^cloudfn\/(aws|gcp|azure)$/, replacement: here('./providers/$1/index.ts') },
      { find: /^cloudfn\/(aws|gcp|azure)\/emulator$/, replacement: here('./providers/$1/emulator/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'providers/**/*.test.ts', 'conformance/**/*.test.ts', 'src/**/*.test.ts', 'cli/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
