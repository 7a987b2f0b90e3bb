import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { MissingPackageError } from './errors/missing-package.ts'
import { packageRoot } from './package/package-root.ts'
import type { RequiredPackage } from './provider.ts'

/**
 * Whether `name` resolves from cloudfn's own folder the way Node resolves a
 * bare import (each `node_modules` up the tree). The cloud SDKs are optional
 * peers that cloudfn imports, and shims import the clouds' runtime libraries,
 * so that is where they must be found.
 */
export function isInstalled(name: string, from: string = packageRoot()): boolean {
  // Node's own resolution first (Yarn PnP and other layouts without node_modules folders).
  try {
    createRequire(join(from, 'package.json')).resolve(`${name}/package.json`)
    return true
  } catch (error) {
    // Found, but its exports map does not list package.json.
    if ((error as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true
  }
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true
    const parent = dirname(dir)
    if (parent === dir) return false
    dir = parent
  }
}

/**
 * Refuses, before anything is created, a call whose optional packages are not
 * installed: without this a deploy got halfway (a function created, its
 * schedule not) or blamed the user's entry file for the shim's import.
 */
export function checkRequiredPackages(provider: string, required: readonly RequiredPackage[], installed = isInstalled): void {
  const missing = required.filter((entry) => !installed(entry.name))
  if (missing.length === 0) return
  const names = [...new Set(missing.map((entry) => entry.name))]
  const why = missing.map((entry) => `${entry.name} (${entry.for})`).join(', ')
  throw new MissingPackageError({
    provider,
    packages: names,
    message: `${provider} needs ${names.length === 1 ? 'a package that is' : 'packages that are'} not installed: ${why}. Run: npm install ${names.join(' ')}`,
  })
}
