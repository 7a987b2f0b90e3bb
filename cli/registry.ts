import type { ConformanceTarget } from '../conformance/scenario.ts'
import type { ProviderManifest } from '../providers/manifest.ts'
import { manifests } from '../providers/registry.ts'
import type { Cloud } from '../src/client.ts'
import { UsageError } from './exit-codes.ts'

export interface ProviderSession {
  create(options: { flags: Record<string, string | undefined>; emulate: boolean; cwd: string }): Promise<Cloud>
  /** Conformance targets: the emulated one with `emulate`, else the real one (or the fake itself). */
  conformanceTargets(options: { flags: Record<string, string | undefined>; emulate: boolean }): Promise<ConformanceTarget[]>
}

/** How the CLI reaches one provider: its manifest (providers/<name>/manifest.ts), as the commands use it. */
export interface CliProvider {
  description: string
  /** Provider-specific flags (`--region`, ...), with their help text. Known without loading the provider. */
  flags: Record<string, string>
  /** Loads the provider's code (and its cloud SDK) only when a command needs it. */
  load(): Promise<ProviderSession>
}

/** Flags a real-cloud command cannot do without. */
function checkRequired(flags: Record<string, string | undefined>, manifest: ProviderManifest): void {
  const missing = Object.entries(manifest.flags)
    .filter(([name, flag]) => flag.required && !flags[name])
    .map(([name]) => name)
  if (missing.length > 0) {
    throw new UsageError(
      `--provider ${manifest.name} needs ${missing.map((name) => `--${name}`).join(', ')} (or set them in cloudfn.config.ts), or use --emulate`,
    )
  }
}

/** The first emulated target of a provider: with `--emulate`, commands run against its fresh in-process cloud. */
async function emulatedCloud(manifest: ProviderManifest): Promise<Cloud> {
  const [target] = await manifest.conformance.emulated()
  if (!target) throw new UsageError(`--provider ${manifest.name} has no emulator`)
  return (await target.setup()).cloud
}

function cliProviderOf(manifest: ProviderManifest): CliProvider {
  return {
    description: manifest.description,
    flags: Object.fromEntries(Object.entries(manifest.flags).map(([name, flag]) => [name, flag.description])),
    load: async () => ({
      async create({ flags, emulate, cwd }) {
        if (emulate && manifest.emulates) return emulatedCloud(manifest)
        checkRequired(flags, manifest)
        return manifest.create(flags, { cwd })
      },
      conformanceTargets: ({ emulate }) => (emulate ? manifest.conformance.emulated() : manifest.conformance.real()),
    }),
  }
}

const registry = new Map<string, CliProvider>(manifests.map((manifest) => [manifest.name, cliProviderOf(manifest)]))

/** The provider used when neither `--provider` nor the config names one. */
export const DEFAULT_PROVIDER: string = manifests.find((manifest) => manifest.default)?.name ?? ''

/** Every provider's name, the default first. */
export function providerNames(): string[] {
  return [DEFAULT_PROVIDER, ...[...registry.keys()].filter((name) => name !== DEFAULT_PROVIDER)]
}

export function cliProvider(name: string): CliProvider {
  const entry = registry.get(name)
  if (!entry) throw new UsageError(`--provider ${name} is not available (choose one of: ${providerNames().join(', ')})`)
  return entry
}

/**
 * Every provider-specific flag, so commands accept them whatever the
 * provider; a flag several providers take (`--region`) says what it means
 * for each.
 */
export function allProviderFlags(): Record<string, string> {
  const byFlag = new Map<string, string[]>()
  for (const manifest of manifests) {
    for (const [name, flag] of Object.entries(manifest.flags)) {
      byFlag.set(name, [...(byFlag.get(name) ?? []), `${flag.description} (${manifest.name})`])
    }
  }
  return Object.fromEntries([...byFlag].map(([name, texts]) => [name, texts.join('; ')]))
}
