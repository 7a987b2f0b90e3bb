import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CloudfnConfig } from '../src/config.ts'
import { bundleOutputFile } from './bundle-temp.ts'
import { UsageError } from './exit-codes.ts'

const CONFIG_FILES = ['cloudfn.config.ts', 'cloudfn.config.mts', 'cloudfn.config.js', 'cloudfn.config.mjs']

/** Loads the config file of the working directory, if there is one. */
export async function loadConfig(cwd: string, explicit?: string): Promise<CloudfnConfig> {
  const file = explicit ? resolve(cwd, explicit) : CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path))
  if (!file) return {}
  if (!existsSync(file)) throw new UsageError(`--config ${explicit}: no such file`)
  const { bundleRequire } = await import('bundle-require')
  const { mod } = await bundleRequire({ filepath: file, cwd, getOutputFile: bundleOutputFile(cwd) })
  const config = (mod as { default?: unknown }).default ?? mod
  if (typeof config !== 'object' || config === null)
    throw new UsageError(`${file} must export a config object (export default defineConfig({ ... }))`)
  return config as CloudfnConfig
}
