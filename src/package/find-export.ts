import { pathToFileURL } from 'node:url'
import type { FunctionDefinition } from '../define.ts'

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
  return sameHandler?.[0]
}
