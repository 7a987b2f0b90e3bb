/**
 * Writes what the repository derives from the provider folders: every
 * `providers/<name>/manifest.ts` is discovered, and from them come
 * `providers/registry.ts` (the manifests, for the CLI and the conformance
 * suite), `providers/subpaths.ts` (package subpath → source, for tsup and
 * vitest) and the providers' entries of package.json "exports".
 *
 * Generated and checked in rather than discovered at build time because
 * package.json "exports" is read by npm, TypeScript, publint and attw
 * without running any code, and the bundled CLI needs static import
 * specifiers; the check (`--check`, run by `npm run lint` and
 * test/provider-registry.test.ts) fails when a folder and the files disagree.
 *
 * Usage: `npm run providers` (write), `npm run providers -- --check`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ProviderManifest } from '../providers/manifest.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const HEADER = '// Generated from providers/*/manifest.ts by `npm run providers` (scripts/sync-providers.ts): do not edit.\n'

export interface GeneratedFile {
  /** Relative to the package root. */
  path: string
  text: string
}

/** The folders of `providers/` that hold a manifest, in a fixed order. */
export function providerFolders(root = ROOT): string[] {
  const dir = join(root, 'providers')
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'manifest.ts')))
    .map((entry) => entry.name)
    .sort()
}

async function loadManifests(root: string): Promise<ProviderManifest[]> {
  const manifests: ProviderManifest[] = []
  for (const folder of providerFolders(root)) {
    const url = pathToFileURL(join(root, 'providers', folder, 'manifest.ts')).href
    const manifest = ((await import(url)) as { default: ProviderManifest }).default
    if (manifest?.name !== folder)
      throw new Error(`providers/${folder}/manifest.ts: name must be '${folder}' (the folder's name)`)
    manifests.push(manifest)
  }
  const defaults = manifests.filter((manifest) => manifest.default).map((manifest) => manifest.name)
  if (defaults.length !== 1)
    throw new Error(`exactly one manifest must say default: true (found: ${defaults.join(', ') || 'none'})`)
  return manifests
}

/** `'.'` of provider `aws` → `aws`; `'./emulator'` → `aws/emulator`. */
function subpathOf(name: string, key: string): string {
  if (key !== '.' && !key.startsWith('./'))
    throw new Error(`providers/${name}/manifest.ts: export '${key}' must be '.' or start with './'`)
  return key === '.' ? name : `${name}/${key.slice(2)}`
}

function subpathEntries(manifests: readonly ProviderManifest[]): Array<[string, string]> {
  return manifests.flatMap((manifest) =>
    Object.entries(manifest.exports).map(([key, source]): [string, string] => [
      subpathOf(manifest.name, key),
      join('providers', manifest.name, source).split('\\').join('/'),
    ]),
  )
}

function registryText(manifests: readonly ProviderManifest[]): string {
  const id = (name: string) => `${name.replace(/[^A-Za-z0-9_$]/g, '_')}Manifest`
  // Laid out as Biome formats it, so that \`biome check --write\` leaves the file as generated.
  return `${HEADER}
${manifests.map((m) => `import ${id(m.name)} from './${m.name}/manifest.ts'`).join('\n')}
import type { ProviderManifest } from './manifest.ts'

/** Every provider, one per folder of providers/ with a manifest.ts. */
export const manifests: readonly ProviderManifest[] = [${manifests.map((m) => id(m.name)).join(', ')}]
`
}

function subpathsText(entries: ReadonlyArray<[string, string]>): string {
  return `${HEADER}
/**
 * The providers' package subpaths (\`cloudfn/<subpath>\`) and their source
 * files, as in package.json "exports": plain data, so the build and test
 * configs need not load the manifests.
 */
export const providerSubpaths: Readonly<Record<string, string>> = {
${entries.map(([subpath, source]) => `  ${/^[A-Za-z_$][\w$]*$/.test(subpath) ? subpath : `'${subpath}'`}: '${source}',`).join('\n')}
}
`
}

function exportEntry(subpath: string) {
  return {
    import: { types: `./dist/${subpath}.d.ts`, default: `./dist/${subpath}.js` },
    require: { types: `./dist/${subpath}.d.cts`, default: `./dist/${subpath}.cjs` },
  }
}

/**
 * The core's own subpaths, kept as written in package.json; every other
 * entry belongs to a provider and is rewritten, so a removed provider folder
 * leaves no export behind.
 */
const CORE_EXPORTS = ['.', './testing', './provider-utils', './emulator-kit', './conformance', './conformance/vitest']

/** package.json with the providers' "exports" rewritten: the core's stay first, `./package.json` last. */
function packageJsonText(current: string, entries: ReadonlyArray<[string, string]>): string {
  const pkg = JSON.parse(current) as { exports: Record<string, unknown> }
  const core = Object.entries(pkg.exports).filter(([key]) => CORE_EXPORTS.includes(key))
  pkg.exports = Object.fromEntries([
    ...core,
    ...entries.map(([subpath]) => [`./${subpath}`, exportEntry(subpath)]),
    ['./package.json', './package.json'],
  ])
  return `${JSON.stringify(pkg, null, 2)}\n`
}

/** What the files should hold, from the manifests found under `root`. */
export async function generate(root = ROOT): Promise<GeneratedFile[]> {
  const manifests = await loadManifests(root)
  const entries = subpathEntries(manifests)
  return [
    { path: 'providers/registry.ts', text: registryText(manifests) },
    { path: 'providers/subpaths.ts', text: subpathsText(entries) },
    { path: 'package.json', text: packageJsonText(readFileSync(join(root, 'package.json'), 'utf8'), entries) },
  ]
}

/** The generated files whose content on disk differs from what the manifests give. */
export async function staleFiles(root = ROOT): Promise<string[]> {
  const files = await generate(root)
  return files
    .filter((file) => !existsSync(join(root, file.path)) || readFileSync(join(root, file.path), 'utf8') !== file.text)
    .map((file) => file.path)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--check')) {
    const stale = await staleFiles()
    if (stale.length > 0) {
      console.error(`stale: ${stale.join(', ')} (they do not match providers/*/manifest.ts); run \`npm run providers\``)
      process.exitCode = 1
    }
  } else {
    for (const file of await generate()) writeFileSync(join(ROOT, file.path), file.text)
  }
}
