import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../src/package/package-root.ts'

/**
 * A provider is written with the tools a third party has: from the core
 * (`src/`), the code under `providers/` (test files aside) uses only what the
 * public entries export (`cloudfn`, `cloudfn/provider-utils`,
 * `cloudfn/testing`). Importing a public name from the module that defines it
 * (`../../src/validation.ts`) is the same name, so it is allowed; a name no
 * public entry exports is a core internal, and fails here unless its module
 * is listed in INTERNAL with the reason.
 */
const PUBLIC_ENTRIES = ['src/index.ts', 'src/provider-utils.ts', 'src/emulator/index.ts', 'src/testing/index.ts']

/**
 * Core modules (or folders, ending in `/`) whose internals providers still
 * use, each with the reason. An entry no provider needs any more fails the
 * test, so the list only shrinks (a folder that does not exist yet is not
 * checked); a new internal import fails until it is made public (preferably
 * in `src/provider-utils.ts`) or listed here with its reason.
 */
const INTERNAL: Record<string, string> = {
  // What the emulators and the local fake run functions in: the core's sandbox (its msw server alone is
  // public, in cloudfn/emulator-kit).
  'src/sandbox/': 'process and worker sandboxes, artifact unpacking, the msw server, instance pool, delivery queue',
  'src/emulator-timing.ts': "the emulators' simulated platform delays",
  'src/content-coding.ts': "the emulators' function URLs and the local HTTP front decode bodies as the clouds do",
  // The built-in providers find their shim inside the cloudfn package; a third-party provider uses import.meta.url.
  'src/package/package-root.ts': 'packageFile(): the shim path of a built-in provider',
  // The local fake is the core's reference backend: it runs handlers in-process below the public shim runtime.
  'src/runtime/run-definition.ts': 'runDefinitionNow: the inline runner answers synchronous handlers without a promise',
  'src/runtime/project-stack.ts': "the inline runner trims the fake's own frames from a handler's stack",
  'src/package/bundle-source-map.ts': 'the inline runner finds the project root for those stacks',
  'src/process-alive.ts': "the local fake's persistence tells a dead process's lock from a live one",
}

/** The INTERNAL entry that covers `module`, if any. */
function listedAs(module: string): string | undefined {
  return Object.keys(INTERNAL).find((entry) => (entry.endsWith('/') ? module.startsWith(entry) : module === entry))
}

/** Which `file:name` pairs the public entries export, by the module that declares them. */
function publicNames(root: string): Set<string> {
  const entries = PUBLIC_ENTRIES.map((path) => join(root, path))
  const program = ts.createProgram(entries, {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  })
  const checker = program.getTypeChecker()
  const names = new Set<string>()
  for (const entry of entries) {
    const file = program.getSourceFile(entry)
    const module = file && checker.getSymbolAtLocation(file)
    if (!module) throw new Error(`cannot read the exports of ${entry}`)
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      for (const declaration of symbol.declarations ?? []) {
        names.add(`${relative(root, declaration.getSourceFile().fileName).split('\\').join('/')}:${symbol.name}`)
      }
    }
  }
  return names
}

function providerFiles(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : []
  return readdirSync(path).flatMap((entry) => (entry === 'node_modules' ? [] : providerFiles(join(path, entry))))
}

interface CoreImport {
  /** The importing file, from the package root. */
  file: string
  /** The core module, from the package root. */
  module: string
  /** The names it takes; `*` for a namespace import or `export *`. */
  names: string[]
}

/** The static imports and re-exports of `text` that reach into `src/`, and dynamic `import()`s of it. */
function coreImports(root: string, file: string, text: string): CoreImport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const found: CoreImport[] = []
  const add = (specifier: string, names: string[]) => {
    const module = relative(root, resolve(dirname(file), specifier))
      .split('\\')
      .join('/')
    if (specifier.startsWith('.') && module.startsWith('src/')) found.push({ file: relative(root, file), module, names })
  }
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const bindings = clause?.namedBindings
      const names = [
        ...(clause?.name ? ['default'] : []),
        ...(bindings && ts.isNamespaceImport(bindings) ? ['*'] : []),
        ...(bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => (e.propertyName ?? e.name).text) : []),
      ]
      add(node.moduleSpecifier.text, clause ? names : ['*'])
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause
      const names = clause && ts.isNamedExports(clause) ? clause.elements.map((e) => (e.propertyName ?? e.name).text) : ['*']
      add(node.moduleSpecifier.text, names)
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, ['*'])
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** `module: names` of the core internals the files under `providers/` use. */
function internalsUsed(root: string, exported: Set<string>): Record<string, string[]> {
  const entries = new Set(PUBLIC_ENTRIES)
  const used: Record<string, Set<string>> = {}
  for (const file of providerFiles(join(root, 'providers'))) {
    for (const { module, names } of coreImports(root, file, readFileSync(file, 'utf8'))) {
      if (entries.has(module)) continue
      for (const name of names.filter((name) => !exported.has(`${module}:${name}`))) {
        used[module] ??= new Set()
        used[module].add(name)
      }
    }
  }
  return Object.fromEntries(Object.entries(used).map(([module, names]) => [module, [...names].sort()]))
}

describe('providers use the core only through its public entries', () => {
  const root = packageRoot()

  // Reading the core's exports type-checks little but loads every core module: generous, a hang guard only.
  it('imports no core internal beyond the listed ones, and every listed one is still needed', { timeout: 120_000 }, () => {
    const used = internalsUsed(root, publicNames(root))
    const unlisted = Object.fromEntries(Object.entries(used).filter(([module]) => !listedAs(module)))
    expect(unlisted).toEqual({})
    const needed = new Set(Object.keys(used).map(listedAs))
    const stale = Object.keys(INTERNAL).filter((entry) => existsSync(join(root, entry)) && !needed.has(entry))
    expect(stale).toEqual([])
  })

  it('finds imports, re-exports and dynamic imports of the core, and nothing else', () => {
    const file = join(root, 'providers/acme/triggers/sync.ts')
    const text = [
      "import { a, b as c } from '../../../src/x.ts'",
      "import type * as ns from '../../../src/y.ts'",
      "import '../../../src/z.ts'",
      "import { d } from '../helpers.ts'",
      "import { e } from 'cloudfn/provider-utils'",
      "export { f } from '../../../src/w.ts'",
      "// import { g } from '../../../src/comment.ts'",
      "const lazy = () => import('../../../src/v.ts')",
    ].join('\n')
    expect(coreImports(root, file, text).map(({ module, names }) => `${module}: ${names.join(',')}`)).toEqual([
      'src/x.ts: a,b',
      'src/y.ts: *',
      'src/z.ts: *',
      'src/w.ts: f',
      'src/v.ts: *',
    ])
  })
})
