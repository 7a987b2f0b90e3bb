import { pathToFileURL } from 'node:url'
import { type FunctionDefinition, isFunctionDefinition, sourceNameOf } from '../define.ts'
import { InvalidArgumentError } from '../errors/invalid-argument.ts'

/**
 * Which export of its module holds the definition, so the bundle can import
 * that one name and let esbuild drop the rest. Undefined when the module
 * cannot be loaded here (the bundle then picks the export by function name at
 * start-up, without tree-shaking across exports).
 */
export async function findExportName(definition: FunctionDefinition<never, unknown>, entry: string): Promise<string | undefined> {
  if (definition.exportName) return definition.exportName
  let module: Record<string, unknown>
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>
  } catch {
    return undefined
  }
  const entries = Object.entries(module)
  // The same object, or a copy made by withOverrides (which keeps the handler).
  const exact = entries.find(([, value]) => value === definition)
  if (exact) return exact[0]
  const sameHandler = entries.find(
    ([, value]) => typeof value === 'object' && value !== null && (value as { handler?: unknown }).handler === definition.handler,
  )
  if (sameHandler) return sameHandler[0]
  // The module loaded a second time (a test runner's copy): other objects, other closures; the name in the module is the same.
  const sourceName = sourceNameOf(definition)
  const named = entries.filter(([, value]) => isFunctionDefinition(value) && value.name === sourceName)
  if (named.length === 1) return (named[0] as [string, unknown])[0]
  throw new InvalidArgumentError({
    field: 'entry',
    message:
      named.length === 0
        ? `${entry} exports no function named '${sourceName}': export the definition from the module that defines it, or pass exportName to defineFunction`
        : `${entry} exports several functions named '${sourceName}' (${named.map(([name]) => name).join(', ')}): pass exportName to defineFunction`,
  })
}
