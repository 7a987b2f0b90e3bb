import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { relative } from 'node:path'
import { type FunctionDefinition, sourceNameOf } from '../define.ts'
import { DeployCheckError } from '../errors/deploy-check.ts'
import { InvalidArgumentError } from '../errors/invalid-argument.ts'
import type { Artifact, PackagingSpec } from '../provider.ts'
import type { RuntimeTrigger } from '../runtime/run-definition.ts'
import type { Trigger } from '../triggers/types.ts'
import { bundleFunction } from './bundle.ts'
import { missingFileReads } from './file-reads.ts'
import { findExportName } from './find-export.ts'
import { includedFiles } from './include.ts'
import { findNativePackages } from './native-addons.ts'
import { packageFile } from './package-root.ts'
import { topLevelCode } from './top-level-code.ts'
import { deterministicZip } from './zip.ts'

export const ENTRY_FILE = 'index.mjs'

interface CacheEntry {
  artifact: Artifact
  /** Fingerprint (size and mtime) of each input when the artifact was built. */
  inputs: Map<string, string>
}

const cache = new Map<string, CacheEntry>()

async function fingerprint(path: string): Promise<string> {
  const info = await stat(path)
  return `${info.size}:${info.mtimeMs}`
}

async function stillFresh(entry: CacheEntry): Promise<boolean> {
  try {
    for (const [path, print] of entry.inputs) if ((await fingerprint(path)) !== print) return false
    return true
  } catch {
    return false
  }
}

/**
 * Bundles the module that defines the function, tree-shaken to that function,
 * with the provider's shim, and zips it deterministically. Rebuilds only when
 * a source file changed since the last call in this process.
 */
export async function packageFunction(definition: FunctionDefinition<never, unknown>, spec: PackagingSpec): Promise<Artifact> {
  const entry = definition.entry
  if (!entry) {
    throw new InvalidArgumentError({
      field: 'entry',
      message: `entry is unknown for function '${definition.name}': pass entry (the path of the module that exports it) to defineFunction`,
    })
  }
  // Before findExportName, which imports the module: that import runs the very code refused here.
  await refuseTopLevelCode(definition.name, entry)
  const exportName = await findExportName(definition, entry)
  const trigger = runtimePart(definition.trigger)
  const functionName = sourceNameOf(definition)
  const included = await includedFiles(entry, definition.include, [ENTRY_FILE, ...Object.keys(spec.files ?? {})])
  const key = JSON.stringify([
    entry,
    exportName,
    functionName,
    trigger,
    spec.shimPath,
    spec.external,
    spec.minifiedBuilds,
    spec.files,
    // The files the globs match now: a new match must not be served a cached artifact without it.
    included.map((file) => file.name),
  ])
  const hit = cache.get(key)
  if (hit && (await stillFresh(hit))) return hit.artifact

  let bundled: Awaited<ReturnType<typeof bundleFunction>>
  try {
    bundled = await bundleFunction({
      entry,
      exportName,
      functionName,
      trigger,
      shimPath: spec.shimPath,
      external: spec.external,
      minifiedBuilds: spec.minifiedBuilds,
    })
  } catch (cause) {
    throw new InvalidArgumentError({
      field: 'entry',
      message: `entry ${entry} could not be bundled: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    })
  }
  refuseNativeAddons(definition.name, bundled.inputs)
  refuseMissingReads(definition.name, entry, bundled, [
    ENTRY_FILE,
    ...Object.keys(spec.files ?? {}),
    ...included.map((file) => file.name),
  ])
  const extra = Object.entries(spec.files ?? {}).map(([name, text]) => [name, new TextEncoder().encode(text)] as const)
  const zip = await deterministicZip({
    ...Object.fromEntries(included.map((file) => [file.name, file.bytes])),
    ...Object.fromEntries(extra),
    [ENTRY_FILE]: bundled.code,
  })
  const artifact: Artifact = { zip, sha256: createHash('sha256').update(zip).digest('hex'), entryFile: ENTRY_FILE }
  const inputs = new Map<string, string>()
  for (const path of [...bundled.inputs, ...included.map((file) => file.path)]) inputs.set(path, await fingerprint(path))
  cache.set(key, { artifact, inputs })
  return artifact
}

/**
 * The artifact bundles the function's whole module, so code at its top level
 * runs on every cold start (and, when the deploy imports the module, in the
 * deploying process). Initialisation is meant to; an app sharing the module
 * with the function (a server, a main loop) would start again inside it.
 * Refuse that module, naming the lines (see top-level-code.ts for the rule).
 */
async function refuseTopLevelCode(functionName: string, entry: string): Promise<void> {
  const statements = await topLevelCode(entry)
  const [first] = statements
  if (!first) return
  const shown = relative(process.cwd(), entry) || entry
  const listed = statements.map((statement) => `  ${shown}:${statement.line}  ${statement.text}`).join('\n')
  throw new DeployCheckError({
    check: 'top-level-code',
    file: entry,
    line: first.line,
    message:
      `function '${functionName}' is defined in ${shown}, which also starts an app at its top level:\n${listed}\n` +
      'The deployed function would start it again on every cold start (the artifact holds the whole module), and a ' +
      'function never listens or loops: its platform calls it. Move that app code into another module that imports the ' +
      'definition, or guard it (`if (import.meta.main) app.listen(3000)`). Initialisation may stay at the top level ' +
      '(`Sentry.init()`, `await client.connect()`): it runs once per instance, as on the clouds.',
  })
}

/**
 * `readFileSync(join(__dirname, 'data/config.json'))` works in the source
 * tree and fails with ENOENT once deployed unless the file ships. A read whose
 * path is written as literals, of a file that exists here and is not in the
 * artifact, is refused with the `include` that ships it.
 */
function refuseMissingReads(
  functionName: string,
  entry: string,
  bundled: { inputs: string[]; code: Uint8Array },
  shipped: readonly string[],
): void {
  const missing = missingFileReads({
    inputs: bundled.inputs,
    entry,
    shipped,
    code: new TextDecoder().decode(bundled.code),
    ownFolders: [packageFile('src'), packageFile('providers')],
  })
  const [first] = missing
  if (!first) return
  const listed = missing
    .map((read) => `  ${relative(process.cwd(), read.file) || read.file}:${read.line}  ${read.text}\n    ${read.fix}`)
    .join('\n')
  throw new DeployCheckError({
    check: 'missing-file',
    file: first.file,
    line: first.line,
    message:
      `function '${functionName}' reads ${missing.length === 1 ? 'a file' : 'files'} next to its source that the deployed function would not have ` +
      `(it would fail with ENOENT):\n${listed}`,
  })
}

/** The trigger as the artifact's shim sees it (see `RuntimeTrigger`). */
function runtimePart(trigger: Trigger | undefined): RuntimeTrigger | undefined {
  if (trigger?.kind === 'http') return { kind: 'http', auth: trigger.auth, methods: trigger.methods }
  // Azure registers its timer in code, with the schedule.
  if (trigger?.kind === 'schedule') return { kind: 'schedule', cron: trigger.cron, timezone: trigger.timezone }
  return trigger && { kind: trigger.kind }
}

/**
 * A compiled addon is built for the deploying machine and is not in the
 * bundle: the function would deploy, then fail at its first call with a
 * misleading "Cannot find module". Refuse it at deploy instead.
 */
function refuseNativeAddons(functionName: string, inputs: readonly string[]): void {
  const native = findNativePackages(inputs)
  if (native.length === 0) return
  const list = native.map((found) => `${found.name} (${found.evidence})`).join(', ')
  throw new InvalidArgumentError({
    field: 'entry',
    message:
      `function '${functionName}' imports ${native.length === 1 ? 'a package' : 'packages'} with a native addon, which cannot be bundled: ${list}. ` +
      'An addon is compiled for the machine that installed it, not for the function runtime (Linux, Node 22). ' +
      'Use a pure-JavaScript or WebAssembly alternative, or move that work out of the function.',
  })
}
