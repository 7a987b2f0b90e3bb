import { providerCommand } from '../common.ts'
import { describeTrigger } from '../describe-trigger.ts'
import { table } from '../output.ts'

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn ls`, `cloudfn ls --provider gcp --json`]

export const ls = providerCommand({
  name: 'ls',
  description: 'List the functions cloudfn manages on a provider.',
  args: {},
  async run(env) {
    const records = await (await env.cloud()).list()
    env.output.result(records, () =>
      records.length === 0
        ? `no functions on ${env.providerName}`
        : table(
            ['NAME', 'MEMORY', 'TIMEOUT', 'TRIGGER', 'CODE', 'UPDATED'],
            records.map((r) => [
              r.name,
              `${r.memoryMb} MB`,
              `${r.timeoutSec} s`,
              describeTrigger(r.trigger),
              r.codeHash.slice(0, 12),
              r.updatedAt,
            ]),
          ),
    )
  },
})
