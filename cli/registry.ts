import { join } from 'node:path'
import type { ConformanceTarget } from '../conformance/scenario.ts'
import type { Cloud } from '../src/client.ts'
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

/** Flags a real-cloud command cannot do without. */
function required(flags: Record<string, string | undefined>, names: readonly string[], provider: string): Record<string, string> {
  const missing = names.filter((name) => !flags[name])
  if (missing.length > 0) {
    throw new UsageError(
      `--provider ${provider} needs ${missing.map((name) => `--${name}`).join(', ')} (or set them in cloudfn.config.ts), or use --emulate`,
    )
  }
  return flags as Record<string, string>
}

/** With `--emulate`, a command runs against a fresh in-process emulator: the emulated conformance target's cloud. */
async function emulated(target: ConformanceTarget): Promise<Cloud> {
  return (await target.setup()).cloud
}

const registry = new Map<string, CliProvider>([
  [
    'local',
    {
      description: 'the in-process fake; deployments persist under .cloudfn/local',
      flags: {},
      load: async () => ({
        async create({ cwd }) {
          const { local } = await import('../providers/local/index.ts')
          return local({ isolation: 'worker', persistDir: join(cwd, '.cloudfn', 'local') })
        },
        async conformanceTargets() {
          const { localTarget } = await import('../conformance/targets/local.ts')
          return [localTarget('inline'), localTarget('worker')]
        },
      }),
    },
  ],
  [
    'aws',
    {
      description: 'AWS Lambda',
      flags: { region: 'AWS region (aws, gcp), e.g. eu-west-1' },
      load: async () => {
        // The emulator (and msw) load only with --emulate: a real-cloud command must not need them.
        const awsEmulatedTarget = async () => (await import('../conformance/targets/aws-emulated.ts')).awsEmulatedTarget()
        const awsTarget = async () => (await import('../conformance/targets/aws.ts')).awsTarget()
        return {
          async create({ flags, emulate }) {
            if (emulate) return emulated(await awsEmulatedTarget())
            const { aws } = await import('../providers/aws/index.ts')
            return aws({ region: required(flags, ['region'], 'aws').region as string })
          },
          conformanceTargets: async ({ emulate }) => [await (emulate ? awsEmulatedTarget() : awsTarget())],
        }
      },
    },
  ],
  [
    'gcp',
    {
      description: 'Google Cloud Functions (2nd gen)',
      flags: { project: 'Google Cloud project id (gcp)' },
      load: async () => {
        // The emulator (and msw) load only with --emulate: a real-cloud command must not need them.
        const gcpEmulatedTarget = async () => (await import('../conformance/targets/gcp-emulated.ts')).gcpEmulatedTarget()
        const gcpTarget = async () => (await import('../conformance/targets/gcp.ts')).gcpTarget()
        return {
          async create({ flags, emulate }) {
            if (emulate) return emulated(await gcpEmulatedTarget())
            const { gcp } = await import('../providers/gcp/index.ts')
            const { project, region } = required(flags, ['project', 'region'], 'gcp')
            return gcp({ project: project as string, region: region as string })
          },
          conformanceTargets: async ({ emulate }) => [await (emulate ? gcpEmulatedTarget() : gcpTarget())],
        }
      },
    },
  ],
  [
    'azure',
    {
      description: 'Azure Functions (Flex Consumption)',
      flags: {
        subscription: 'Azure subscription id (azure)',
        'resource-group': 'Azure resource group (azure)',
        location: 'Azure location, e.g. westeurope (azure)',
      },
      load: async () => {
        // The emulator (and msw) load only with --emulate: a real-cloud command must not need them.
        const azureEmulatedTarget = async () => (await import('../conformance/targets/azure-emulated.ts')).azureEmulatedTarget()
        const azureTarget = async () => (await import('../conformance/targets/azure.ts')).azureTarget()
        return {
          async create({ flags, emulate }) {
            if (emulate) return emulated(await azureEmulatedTarget())
            const { azure } = await import('../providers/azure/index.ts')
            const checked = required(flags, ['subscription', 'resource-group', 'location'], 'azure')
            return azure({
              subscriptionId: checked.subscription as string,
              resourceGroup: checked['resource-group'] as string,
              location: checked.location as string,
            })
          },
          conformanceTargets: async ({ emulate }) => [await (emulate ? azureEmulatedTarget() : azureTarget())],
        }
      },
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
