import { type Dirent, existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'

/** A package in the bundle that loads a compiled addon, and the file that shows it. */
export interface NativePackage {
  name: string
  evidence: string
}

// Loaders that exist only to find a compiled `.node` file next to a package.
const ADDON_LOADERS = ['bindings', 'node-gyp-build', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp']
const MAX_SCAN_ENTRIES = 5_000

/** The package (`…/node_modules/<name>` or `…/node_modules/@scope/<name>`) holding `file`, if any. */
function packageOf(file: string): { dir: string; name: string } | undefined {
  const parts = file.split(sep)
  const at = parts.lastIndexOf('node_modules')
  if (at < 0 || at + 1 >= parts.length) return undefined
  const width = parts[at + 1]?.startsWith('@') ? 2 : 1
  return { dir: parts.slice(0, at + 1 + width).join(sep), name: parts.slice(at + 1, at + 1 + width).join('/') }
}

/** The first `.node` file under `dir`, not descending into nested packages; bounded so a huge package stays cheap. */
function firstAddonFile(dir: string): string | undefined {
  const pending = [dir]
  let seen = 0
  while (pending.length > 0 && seen < MAX_SCAN_ENTRIES) {
    const current = pending.pop() as string
    let entries: Dirent[]
    try {
      entries = readdirSync(current, { withFileTypes: true })
    } catch {
      continue
    }
    for (const entry of entries) {
      seen += 1
      if (entry.isFile() && entry.name.endsWith('.node')) return join(current, entry.name)
      if (entry.isDirectory() && entry.name !== 'node_modules') pending.push(join(current, entry.name))
    }
  }
  return undefined
}

/** Where an installed dependency of the package at `dir` lives, resolved as Node would. */
function installedDependency(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(at) === at) return undefined
  }
}

function nativeEvidence(dir: string): string | undefined {
  let manifest: Record<string, unknown>
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
  // bufferutil and utf-8-validate (optional peers of ws) build an addon but run without it: the
  // convention is a fallback.js beside their entry, which a bundle then uses.
  if (existsSync(join(dir, 'fallback.js'))) return undefined
  if (manifest.gypfile === true || existsSync(join(dir, 'binding.gyp'))) return 'binding.gyp'
  const dependencies = { ...(manifest.dependencies as object), ...(manifest.optionalDependencies as object) }
  const loader = ADDON_LOADERS.find((name) => name in dependencies)
  if (loader) return `depends on ${loader}`
  const own = firstAddonFile(dir)
  if (own) return relative(dir, own)
  // The platform-package pattern (sharp's @img/sharp-*, rollup's @rollup/rollup-*):
  // the addon ships in an optional dependency installed for this machine only.
  for (const name of Object.keys((manifest.optionalDependencies as object | undefined) ?? {})) {
    const installed = installedDependency(dir, name)
    const addon = installed && firstAddonFile(installed)
    if (addon) return `${name}/${relative(installed, addon)}`
  }
  return undefined
}

/**
 * The packages among a bundle's input files that load a compiled addon. Such
 * an addon is built for this machine's platform and is not part of the
 * bundle, so the function would deploy and then fail at its first call.
 */
export function findNativePackages(inputs: readonly string[]): NativePackage[] {
  const packages = new Map<string, string>()
  for (const file of inputs) {
    const found = packageOf(file)
    if (found) packages.set(found.dir, found.name)
  }
  const native: NativePackage[] = []
  for (const [dir, name] of packages) {
    const evidence = nativeEvidence(dir)
    if (evidence) native.push({ name, evidence })
  }
  return native
}
