/**
 * `cloudfn.config.ts`: defaults for the `cloudfn` command's flags, so they
 * need not be repeated. The shape lives in the core (not in `cli/`) so that
 * `import { defineConfig } from 'cloudfn'` does not make the library depend
 * on the CLI; the CLI reads the file (`cli/config.ts`).
 */
export interface CloudfnConfig {
  /** Provider used when `--provider` is not given (default `local`). */
  provider?: string
  /** Run against that cloud's in-process emulator (as `--emulate`). */
  emulate?: boolean
  /** Flags per provider, e.g. `{ aws: { region: 'eu-west-1' } }`. */
  providers?: Record<string, Record<string, string | number | boolean>>
}

/** Typed helper for `cloudfn.config.ts`: `export default defineConfig({ ... })`. */
export function defineConfig(config: CloudfnConfig): CloudfnConfig {
  return config
}
