import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { type FunctionDefinition, isFunctionDefinition, withOverrides } from '../src/define.ts'
import { bundleOutputFile, staleBundles } from './bundle-temp.ts'
import { UsageError } from './exit-codes.ts'

/**
 * Loads the definitions exported by `file` (TypeScript or JavaScript) and
 * picks `#export`, or the only one. The definitions are re-pointed at the
 * source file, since the module was compiled to a temporary file to load it.
 */
export async function loadDefinition(target: string, cwd: string): Promise<FunctionDefinition<never, unknown>> {
  const hash = target.lastIndexOf('#')
  const file = resolve(cwd, hash === -1 ? target : target.slice(0, hash))
  const wanted = hash === -1 ? undefined : target.slice(hash + 1)
  if (!existsSync(file)) throw new UsageError(`${file}: no such file (expected <file>[#export])`)
  const { bundleRequire } = await import('bundle-require')
  let mod: Record<string, unknown>
  try {
    staleBundles(cwd).remove()
    mod = (await bundleRequire({ filepath: file, cwd, getOutputFile: bundleOutputFile(cwd) })).mod as Record<string, unknown>
  } catch (error) {
    throw new UsageError(`${file} could not be loaded: ${error instanceof Error ? error.message : String(error)}`)
  }
  const found = Object.entries(mod).filter(([, value]) => isFunctionDefinition(value)) as Array<
    [string, FunctionDefinition<never, unknown>]
  >
  if (found.length === 0) throw new UsageError(`${file} exports no function (export const fn = defineFunction({ ... }))`)
  const names = found.map(([name]) => name).join(', ')
  const picked = wanted === undefined ? (found.length === 1 ? found[0] : undefined) : found.find(([name]) => name === wanted)
  if (!picked) {
    throw new UsageError(
      wanted === undefined
        ? `${file} exports several functions (${names}); pick one with ${target}#<export>`
        : `${file} has no exported function '${wanted}' (exports: ${names})`,
    )
  }
  const [exportName, definition] = picked
  return withOverrides(definition, { entry: file, exportName })
}
