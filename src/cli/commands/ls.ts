import { defineCommand } from 'citty'
import { COMMON_ARGS, prepare, providerArgs } from '../common.ts'
import { table } from '../output.ts'

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn ls`, `cloudfn ls --provider gcp --json`]

export const ls = defineCommand({
  meta: {
    name: 'ls',
    description: 'List the functions cloudfn manages on a provider.',
  },
  args: { ...COMMON_ARGS, ...providerArgs() },
  async run({ rawArgs, args: parsed }) {
    const env = await prepare(rawArgs, { ...COMMON_ARGS, ...providerArgs() }, parsed)
    const records = await (await env.cloud()).list()
    env.output.result(records, () =>
      records.length === 0
        ? `no functions on ${env.providerName}`
        : table(
            ['NAME', 'MEMORY', 'TIMEOUT', 'CODE', 'UPDATED'],
            records.map((r) => [r.name, `${r.memoryMb} MB`, `${r.timeoutSec} s`, r.codeHash.slice(0, 12), r.updatedAt]),
          ),
    )
  },
})
