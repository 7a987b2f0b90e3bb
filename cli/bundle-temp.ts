import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { processAlive } from '../src/process-alive.ts'

/**
 * Where the CLI writes the compiled copy of a module it loads (a definition,
 * the config): `.cloudfn/tmp` of the source's package folder (see
 * `bundleOutputFile`), never beside the user's source (bundle-require's
 * default), where a killed process would leave it.
 */
export function bundleTempDir(cwd: string): string {
  return join(cwd, '.cloudfn', 'tmp')
}

/** `<file>.bundled_<pid>_<random>.<ext>`: the pid tells a killed process's copy from one in use. */
const BUNDLED = /\.bundled_(\d+)_[0-9a-f]+\.(?:mjs|cjs)$/

/**
 * The folder of the package that holds `file` below the working directory (a
 * monorepo's `packages/a` when run from its root), else the working
 * directory: package imports in the compiled copy must resolve as from the
 * source, and `gc` finds a single project's copies in `cwd`.
 */
export function packageDirOf(file: string, cwd: string): string {
  for (let dir = dirname(file); dir !== cwd && dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  return cwd
}

/** An output-file callback for bundle-require writing into `.cloudfn/tmp` of the source's package. */
export function bundleOutputFile(cwd: string): (filepath: string, format: string) => string {
  return (filepath, format) => {
    const dir = bundleTempDir(packageDirOf(resolve(cwd, filepath), cwd))
    mkdirSync(dir, { recursive: true })
    const suffix = `${process.pid}_${randomBytes(6).toString('hex')}.${format === 'esm' ? 'mjs' : 'cjs'}`
    return join(dir, `${basename(filepath)}.bundled_${suffix}`)
  }
}

/** Compiled copies left by processes that are gone (killed while loading); `remove` deletes them. */
export function staleBundles(cwd: string): { paths: string[]; remove(): void } {
  const dir = bundleTempDir(cwd)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    names = []
  }
  const paths = names
    .filter((name) => {
      const pid = BUNDLED.exec(name)?.[1]
      return pid !== undefined && !processAlive(Number(pid))
    })
    .map((name) => join(dir, name))
  return {
    paths,
    remove: () => {
      for (const path of paths) rmSync(path, { force: true })
    },
  }
}
