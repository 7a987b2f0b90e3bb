import { type ArgsDef, type CommandDef, defineCommand } from 'citty'
import type { Cloud } from '../src/client.ts'
import { loadConfig } from './config.ts'
import { UsageError } from './exit-codes.ts'
import { createOutput, type Output } from './output.ts'
import { allProviderFlags, cliProvider, DEFAULT_PROVIDER, providerNames } from './registry.ts'

/** Flags every command takes. */
export const COMMON_ARGS = {
  provider: {
    type: 'string',
    description: `provider to use: ${providerNames().join(', ')} (default: config, else ${DEFAULT_PROVIDER})`,
  },
  emulate: { type: 'boolean', description: "run against the provider's in-process emulator (no account needed)" },
  json: { type: 'boolean', description: 'print the result as JSON' },
  config: { type: 'string', description: 'path of the config file (default: ./cloudfn.config.ts if present)' },
} as const satisfies ArgsDef

export interface CommandEnv {
  cwd: string
  output: Output
  providerName: string
  cloud(): Promise<Cloud>
}

/**
 * Rejects flags the command does not define (citty accepts anything), then
 * resolves the provider from flags and config.
 */
export async function prepare(rawArgs: readonly string[], argsDef: ArgsDef, args: Record<string, unknown>): Promise<CommandEnv> {
  const providerFlags = allProviderFlags()
  const known = new Set(['help', 'h', ...Object.keys(argsDef), ...Object.keys(providerFlags)])
  for (const def of Object.values(argsDef)) {
    const alias = 'alias' in def ? def.alias : undefined
    for (const name of Array.isArray(alias) ? alias : alias ? [alias] : []) known.add(name)
  }
  for (const raw of rawArgs) {
    if (!raw.startsWith('-') || raw === '-' || raw === '--') continue
    const name = raw.replace(/^--?(no-)?/, '').split('=')[0] ?? ''
    if (!known.has(name)) throw new UsageError(`unknown flag ${raw.split('=')[0]} (see --help)`)
  }
  checkShape(rawArgs, { ...argsDef, ...providerFlagDefs(providerFlags) })
  const cwd = process.cwd()
  const config = await loadConfig(cwd, args.config as string | undefined)
  const providerName = (args.provider as string | undefined) ?? config.provider ?? DEFAULT_PROVIDER
  const emulate = (args.emulate as boolean | undefined) ?? config.emulate ?? false
  const flags: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries({ ...config.providers?.[providerName] })) flags[key] = String(value)
  for (const key of Object.keys(providerFlags)) if (typeof args[key] === 'string') flags[key] = args[key] as string
  const fromConfig = args.provider === undefined && config.provider !== undefined
  const provider = fromConfig ? providerFromConfig(providerName) : cliProvider(providerName)
  let cloud: Promise<Cloud> | undefined
  return {
    cwd,
    output: createOutput({ json: args.json === true }),
    providerName,
    cloud: () => {
      cloud ??= provider.load().then((session) => session.create({ flags, emulate, cwd }))
      return cloud
    },
  }
}

/** A bad `provider` in cloudfn.config.ts is the config's mistake, not a flag's: say so. */
function providerFromConfig(name: string): ReturnType<typeof cliProvider> {
  try {
    return cliProvider(name)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    throw new UsageError(
      `provider '${name}' in cloudfn.config.ts is not available (choose one of: ${providerNames().join(', ')})`,
    )
  }
}

/** The provider-specific flags as citty string arguments. */
export function providerArgs(): Record<string, { type: 'string'; description: string }> {
  return Object.fromEntries(
    Object.entries(allProviderFlags()).map(([name, description]) => [name, { type: 'string' as const, description }]),
  )
}

/**
 * A provider command: its own arguments plus the common and provider flags,
 * checked and resolved (see `prepare`) before `run` gets them.
 */
export function providerCommand<const A extends ArgsDef>(spec: {
  name: string
  description: string
  args: A
  run(env: CommandEnv, args: Record<string, unknown>): Promise<void>
}): CommandDef {
  const args = { ...COMMON_ARGS, ...spec.args, ...providerArgs() }
  return defineCommand({
    meta: { name: spec.name, description: spec.description },
    args,
    run: async ({ rawArgs, args: parsed }) => spec.run(await prepare(rawArgs, args, parsed), parsed),
  }) as CommandDef
}

function providerFlagDefs(flags: Record<string, string>): ArgsDef {
  return Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' as const }]))
}

/**
 * What citty lets through and then misreads: a flag given twice (the last one
 * won), a value on a boolean flag (`--async=maybe` was true), and positional
 * arguments beyond those the command takes (ignored).
 */
function checkShape(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const byName = new Map<string, { type?: string }>()
  for (const [name, def] of Object.entries(argsDef)) {
    byName.set(name, def)
    const alias = 'alias' in def ? def.alias : undefined
    for (const other of Array.isArray(alias) ? alias : alias ? [alias] : []) byName.set(other, def)
  }
  const wanted = Object.values(argsDef).filter((def) => def.type === 'positional').length
  const seen = new Set<unknown>()
  const positionals: string[] = []
  for (let i = 0; i < rawArgs.length; i++) {
    const raw = rawArgs[i] as string
    if (raw === '--') {
      positionals.push(...rawArgs.slice(i + 1))
      break
    }
    if (!raw.startsWith('-') || raw === '-') {
      positionals.push(raw)
      continue
    }
    const [flag = '', ...valueParts] = raw.split('=')
    const name = flag.replace(/^--?(no-)?/, '')
    const def = byName.get(name)
    if (!def || name === 'help' || name === 'h') continue
    if (seen.has(def)) throw new UsageError(`${flag} is given more than once; give it once`)
    seen.add(def)
    if (def.type === 'boolean' && valueParts.length > 0) {
      throw new UsageError(`${flag} takes no value (got ${raw}); use ${flag} or --no-${name}`)
    }
    // A string flag written `--flag value` takes the next argument as its value.
    if (def.type === 'string' && valueParts.length === 0) i++
  }
  if (positionals.length > wanted) {
    const extra = positionals.slice(wanted).map((arg) => JSON.stringify(arg))
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')} (see --help)`)
  }
}
