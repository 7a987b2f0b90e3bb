import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * Root folder of the cloudfn package, found by walking up from this module
 * (which may sit in src/, dist/ or a bundler chunk). Shims and the runtime are
 * shipped as TypeScript sources under it and compiled into each artifact.
 */
export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cloudfn') {
      cached = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cloudfn: cannot find the package root above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
}

/** Absolute path of a file shipped in the package, e.g. `providers/local/shim.ts`. */
export function packageFile(relative: string): string {
  return join(packageRoot(), relative)
}
