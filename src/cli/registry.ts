import { join } from 'node:path'
import type { ConformanceTarget } from '../../conformance/scenario.ts'
import type { Cloud } from '../client.ts'
import { UsageError } from './exit-codes.ts'

export interface ProviderSession {
  create(options: { flags: Record<string, string | undefined>; emulate: boolean; cwd: string }): Promise<Cloud>
  /** Conformance targets: the emulated one with `emulate`, else the real one (or the fake itself). */
  conformanceTargets(options: { flags: Record<string, string | undefined>; emulate: boolean }): Promise<ConformanceTarget[]>
}

/** How the CLI reaches one provider. The only place that knows providers by name. */
export interface CliProvider {
  description: string
  /** Provider-specific flags (`--region`, ...), with their help text. Known without loading the provider. */
  flags: Record<string, string>
  /** Loads the provider's code (and its cloud SDK) only when a command needs it. */
  load(): Promise<ProviderSession>
}

const registry = new Map<string, CliProvider>([
  [
    'local',
    {
      description: 'the in-process fake; deployments persist under .cloudfn/local',
      flags: {},
      load: async () => ({
        async create({ cwd }) {
          const { local } = await import('../../providers/local/index.ts')
          return local({ isolation: 'worker', persistDir: join(cwd, '.cloudfn', 'local') })
        },
        async conformanceTargets() {
          const { localTarget } = await import('../../conformance/targets/local.ts')
          return [localTarget('inline'), localTarget('worker')]
        },
      }),
    },
  ],
])

export function providerNames(): string[] {
  return [...registry.keys()]
}

export function cliProvider(name: string): CliProvider {
  const entry = registry.get(name)
  if (!entry) throw new UsageError(`--provider ${name} is not available (choose one of: ${providerNames().join(', ')})`)
  return entry
}

/** Every provider-specific flag, so commands accept them whatever the provider. */
export function allProviderFlags(): Record<string, string> {
  return Object.assign({}, ...[...registry.values()].map((entry) => entry.flags))
}
