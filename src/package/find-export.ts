import { relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type FunctionDefinition, isFunctionDefinition, sourceNameOf } from '../define.ts'
import { DeployCheckError } from '../errors/deploy-check.ts'
import { InvalidArgumentError } from '../errors/invalid-argument.ts'
import { firstTopLevelAwait, type TopLevelStatement } from './top-level-code.ts'

/**
 * How long importing the entry module may take before the deploy gives up.
 * A hang guard only: an import that can never settle is found sooner, when
 * the event loop runs dry (see `importEntry`). Tests lower it.
 */
export const importLimit = { ms: 60_000 }

/**
 * Which export of its module holds the definition, so the bundle can import
 * that one name and let esbuild drop the rest. Undefined when the module
 * cannot be loaded here (the bundle then picks the export by function name at
 * start-up, without tree-shaking across exports).
 */
export async function findExportName(definition: FunctionDefinition<never, unknown>, entry: string): Promise<string | undefined> {
  if (definition.exportName) return definition.exportName
  const module = await importEntry(entry, definition.name)
  if (!module) return undefined
  const entries = Object.entries(module)
  // The same object, or a copy made by withOverrides (which keeps the handler and the source name).
  const exact = entries.find(([, value]) => value === definition)
  if (exact) return exact[0]
  const sourceName = sourceNameOf(definition)
  // Only a definition of the same name: a factory may give one shared handler to several definitions,
  // and an unexported one must not be deployed as the code of an exported sibling.
  const sameHandler = entries.find(
    ([, value]) => isFunctionDefinition(value) && value.handler === definition.handler && value.name === sourceName,
  )
  if (sameHandler) return sameHandler[0]
  // The module loaded a second time (a test runner's copy): other objects, other closures; the name in the module is the same.
  const named = entries.filter(([, value]) => isFunctionDefinition(value) && value.name === sourceName)
  if (named.length === 1) return (named[0] as [string, unknown])[0]
  if (named.length === 0) {
    throw new DeployCheckError({
      check: 'unexported-definition',
      file: entry,
      message:
        `function '${sourceName}' is not exported by ${entry}, the module whose call to defineFunction made it: ` +
        'the deployed code imports the definition from that module, so it would fail at its first call. ' +
        `Export it (export const ${exampleIdentifier(sourceName)} = ...); for a definition made by a factory, export it ` +
        'where it is made and pass that module as entry (e.g. entry: import.meta.filename) and the export as exportName to defineFunction.',
    })
  }
  throw new InvalidArgumentError({
    field: 'entry',
    message: `${entry} exports several functions named '${sourceName}' (${named.map(([name]) => name).join(', ')}): pass exportName to defineFunction`,
  })
}

/**
 * Imports the entry module, or undefined if it fails to load here. A module
 * that awaits its own deploy at the top level can never finish loading (the
 * deploy waits for the import, the import for the module): Node would end the
 * process with exit code 13 and no word of why. When the event loop runs dry
 * with the import still pending, or after `importLimit`, this fails instead,
 * naming the module.
 */
async function importEntry(entry: string, functionName: string): Promise<Record<string, unknown> | undefined> {
  let resolve: (module: Record<string, unknown> | undefined) => void = () => {}
  let reject: (error: DeployCheckError) => void = () => {}
  const promise = new Promise<Record<string, unknown> | undefined>((onResolve, onReject) => {
    resolve = onResolve
    reject = onReject
  })
  const stalled = (why: 'idle' | 'timeout') => () => {
    // Which line awaits, when the module shows it; the error comes either way.
    firstTopLevelAwait(entry).then(
      (awaiting) => reject(stallError(entry, functionName, why, awaiting)),
      () => reject(stallError(entry, functionName, why, undefined)),
    )
  }
  const onIdle = stalled('idle')
  // Unref'd: it must not keep the loop alive, or 'beforeExit' (the loop ran dry) would never come.
  const timer = setTimeout(stalled('timeout'), importLimit.ms).unref()
  process.once('beforeExit', onIdle)
  import(pathToFileURL(entry).href).then(
    (module: Record<string, unknown>) => resolve(module),
    () => resolve(undefined),
  )
  try {
    return await promise
  } finally {
    clearTimeout(timer)
    process.off('beforeExit', onIdle)
  }
}

function stallError(
  entry: string,
  functionName: string,
  why: 'idle' | 'timeout',
  awaiting: TopLevelStatement | undefined,
): DeployCheckError {
  const shown = relative(process.cwd(), entry) || entry
  const where = awaiting ? `${shown}:${awaiting.line} (${awaiting.text})` : 'the module'
  return new DeployCheckError({
    check: 'top-level-code',
    file: entry,
    line: awaiting?.line,
    message:
      `deploying function '${functionName}' imports its module ${shown}, and that import ` +
      (why === 'idle'
        ? `can never finish: ${where} awaits at its top level something that waits for this deploy (most likely the deploy itself). `
        : `has not finished after ${importLimit.ms / 1000} s: ${where} awaits at its top level something that does not settle (a server, an app). `) +
      'The deployed code would run that top-level code on every cold start too. ' +
      'Move the app code (the deploy, the server, the startup) into another module that imports the definition, ' +
      'and keep the function module to imports and declarations.',
  })
}

/** A plausible variable name for a function name, for the message's example. */
function exampleIdentifier(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
}
