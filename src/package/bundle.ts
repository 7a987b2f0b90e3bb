import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import type { Loader, Plugin } from 'esbuild'
import { codeWithSourceMap } from './bundle-source-map.ts'
import { packageFile } from './package-root.ts'

export interface BundleInput {
  /** Absolute path of the user's module. */
  entry: string
  /** Export holding the definition; undefined to pick it by `functionName` at start-up. */
  exportName: string | undefined
  functionName: string
  /** The trigger being deployed, which overrides the module's (`withOverrides` may have changed it). */
  trigger?: unknown
  shimPath: string
  /** Modules left as imports for the cloud's runtime to provide. */
  external?: readonly string[] | undefined
  /** Packages bundled from their own minified build (see `PackagingSpec.minifiedBuilds`). */
  minifiedBuilds?: Readonly<Record<string, string>> | undefined
}

export interface BundleOutput {
  code: Uint8Array
  /** Absolute paths of every source file that went into the bundle. */
  inputs: string[]
}

const STDIN_NAME = 'cloudfn-entry.js'

// Bundled ESM may contain CommonJS dependencies that call require().
const REQUIRE_BANNER =
  "import { createRequire as __cloudfnCreateRequire } from 'node:module';\nconst require = __cloudfnCreateRequire(import.meta.url);"

/**
 * Inside an artifact, `import { defineFunction } from 'cloudfn'` needs none of
 * the deploy-time machinery: point it at the slim runtime flavour.
 */
const slimCloudfn: Plugin = {
  name: 'cloudfn-slim-runtime',
  setup(builder) {
    builder.onResolve({ filter: /^cloudfn$/ }, () => ({ path: packageFile('src/runtime/in-bundle.ts') }))
  },
}

/**
 * esbuild has no loader for compiled addons and would fail with "No loader is
 * configured for .node files"; leaving them as imports lets the packager name
 * the package that needs one (see native-addons.ts) instead.
 */
const addonsLeftOut: Plugin = {
  name: 'cloudfn-addons-left-out',
  setup(builder) {
    builder.onResolve({ filter: /\.node$/ }, (args) => {
      // Only a real addon file: `./env.node` may well be `env.node.ts`, which esbuild bundles.
      const file = resolve(args.resolveDir, args.path)
      return existsSync(file) && statSync(file).isFile() ? { path: args.path, external: true } : undefined
    })
  },
}

/**
 * Bundles a package from the minified build it publishes (Microsoft ships
 * `@azure/functions` as one 190 KB webpack bundle and its own 67 KB
 * production build beside it) rather than minifying the whole artifact,
 * which would leave the user's code unreadable in the cloud's console.
 */
function minifiedBuilds(builds: Readonly<Record<string, string>>): Plugin {
  const names = Object.keys(builds)
  const filter = new RegExp(`^(?:${names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`)
  return {
    name: 'cloudfn-minified-builds',
    setup(builder) {
      if (names.length === 0) return
      builder.onResolve({ filter }, async (args) => {
        const file = builds[args.path]
        if (args.pluginData === 'minified-build' || !file) return undefined
        const resolved = await builder.resolve(`${args.path}/${file}`, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'minified-build',
        })
        // A version without that file (or a package map that hides it) is bundled as it is.
        return resolved.errors.length === 0 ? { path: resolved.path } : undefined
      })
    },
  }
}

const DEFINITION_LINE = /^(\s*export\s+const\s+[\w$]+\s*=\s*)(defineFunction\s*\()/gm
const LOADERS: Record<string, Loader> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' }

/**
 * esbuild cannot see across modules that `defineFunction` is pure, so an
 * unused `export const other = defineFunction(...)` would keep its handler
 * (and everything that handler imports). Annotating those calls in the entry
 * module lets tree-shaking drop them. Only whole lines of that exact shape are
 * touched, so strings and other code are left alone.
 */
function pureDefinitions(entry: string): Plugin {
  return {
    name: 'cloudfn-pure-definitions',
    setup(builder) {
      builder.onLoad({ filter: /.*/ }, async (args) => {
        if (args.path !== entry) return undefined
        const source = await readFile(entry, 'utf8')
        return {
          contents: source.replace(DEFINITION_LINE, '$1/* @__PURE__ */ $2'),
          loader: LOADERS[extname(entry)] ?? 'js',
          resolveDir: dirname(entry),
        }
      })
    },
  }
}

export async function bundleFunction(input: BundleInput): Promise<BundleOutput> {
  const entryCode = input.exportName
    ? `import { ${exportIdentifier(input.exportName)} as definition } from ${JSON.stringify(input.entry)};`
    : `import * as module from ${JSON.stringify(input.entry)};
const definition = Object.values(module).find((v) => v && typeof v.handler === 'function' && v.name === ${JSON.stringify(input.functionName)});
if (!definition) throw new Error(${JSON.stringify(`The artifact's module exports no function named '${input.functionName}'`)});`
  // Loaded on first use: importing cloudfn must stay cheap for code that never packages.
  const { build } = await import('esbuild')
  const result = await build({
    stdin: {
      contents: `${entryCode}\nimport { createEntry } from ${JSON.stringify(input.shimPath)};\nexport const handler = createEntry({ ...definition, trigger: ${JSON.stringify(input.trigger) ?? 'undefined'} });\n`,
      resolveDir: packageFile('.'),
      sourcefile: STDIN_NAME,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    absWorkingDir: packageFile('.'),
    metafile: true,
    treeShaking: true,
    legalComments: 'none',
    // Source maps for remote stacks (bundle-source-map.ts). The outfile only places the map's sources; nothing is written.
    sourcemap: 'external',
    sourcesContent: false,
    outfile: packageFile('index.mjs'),
    logLevel: 'silent',
    banner: { js: REQUIRE_BANNER },
    external: [...(input.external ?? [])],
    plugins: [slimCloudfn, addonsLeftOut, minifiedBuilds(input.minifiedBuilds ?? {}), pureDefinitions(input.entry)],
  })
  const { outputFiles: outputs, metafile } = result
  const code = codeWithSourceMap({
    outputs,
    metafile,
    workingDir: packageFile('.'),
    entry: input.entry,
    slimRuntime: packageFile('src/runtime/in-bundle.ts'),
  })
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => path !== STDIN_NAME && !path.includes(':'))
    .map((path) => packageFile(path))
  return { code, inputs }
}

/** Export names are identifiers in practice; quote the rare one that is not (ES2022 string imports). */
function exportIdentifier(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)
}
