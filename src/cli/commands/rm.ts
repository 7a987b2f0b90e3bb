import { defineCommand } from 'citty'
import { COMMON_ARGS, prepare, providerArgs } from '../common.ts'

const args = { ...COMMON_ARGS, name: { type: 'positional', required: true, description: 'function name' } } as const

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn rm resize`]

export const rm = defineCommand({
  meta: {
    name: 'rm',
    description: 'Remove a function and what cloudfn created for it (removing a missing one is not an error).',
  },
  args: { ...args, ...providerArgs() },
  async run({ rawArgs, args: parsed }) {
    const env = await prepare(rawArgs, { ...args, ...providerArgs() }, parsed)
    const name = parsed.name as string
    const result = await (await env.cloud()).remove(name)
    env.output.result({ name, ...result }, () =>
      result.removed ? `removed ${name}` : `${name} was not deployed; nothing to remove`,
    )
  },
})
