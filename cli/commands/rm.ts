import { providerCommand } from '../common.ts'

const args = { name: { type: 'positional', required: true, description: 'function name' } } as const

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn rm resize`]

export const rm = providerCommand({
  name: 'rm',
  description: 'Remove a function and what cloudfn created for it (removing a missing one is not an error).',
  args: args,
  async run(env, parsed) {
    const name = parsed.name as string
    const result = await (await env.cloud()).remove(name)
    env.output.result({ name, ...result }, () =>
      result.removed ? `removed ${name}` : `${name} was not deployed; nothing to remove`,
    )
  },
})
