import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../package/package-root.ts'

const compiled = new Map<string, Promise<string>>()

/**
 * Compiles a TypeScript host script (the worker side of an emulator, which
 * imports the uploaded artifact and calls it with its cloud's contract) into
 * an `.mjs` file a `Worker` can start, once per process. `external` packages
 * stay imports; the file is written inside the package so they resolve from
 * its node_modules.
 */
export function compileHostScript(sourcePath: string, external: readonly string[] = []): Promise<string> {
  const key = JSON.stringify([sourcePath, external])
  let pending = compiled.get(key)
  if (!pending) {
    pending = compile(sourcePath, external)
    compiled.set(key, pending)
  }
  return pending
}

async function compile(sourcePath: string, external: readonly string[]): Promise<string> {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [sourcePath],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    logLevel: 'silent',
    external: [...external],
  })
  const code = result.outputFiles[0]?.contents
  if (!code) throw new Error(`esbuild produced no output for ${sourcePath}`)
  const dir = join(packageRoot(), 'node_modules', '.cache', 'cloudfn-hosts')
  mkdirSync(dir, { recursive: true })
  const { createHash } = await import('node:crypto')
  // Named by content: concurrent processes write identical files, never a half-written one they need.
  const file = join(dir, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`)
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, code)
  renameSync(temporary, file)
  return file
}
