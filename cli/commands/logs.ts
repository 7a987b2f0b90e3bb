import { providerCommand } from '../common.ts'
import { UsageError } from '../exit-codes.ts'

const args = {
  name: { type: 'positional', required: true, description: 'function name' },
  limit: { type: 'string', description: 'at most this many of the newest lines (default 100)' },
  since: { type: 'string', description: 'only lines at or after this ISO time' },
} as const

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn logs resize`, `cloudfn logs resize --limit 20 --since 2026-11-23T10:00:00Z`]

export const logs = providerCommand({
  name: 'logs',
  description: "Print a function's log lines.",
  args: args,
  async run(env, parsed) {
    const limit = parsed.limit === undefined ? 100 : Number(parsed.limit)
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer (got ${parsed.limit})`)
    const fn = await (await env.cloud()).get(parsed.name as string)
    const entries = await fn.logs({ limit, ...(parsed.since ? { since: parsed.since as string } : {}) })
    env.output.result(entries, () =>
      entries.length === 0
        ? 'no log lines'
        : entries.map((e) => `${e.timestamp} ${e.executionId.slice(0, 8)} [${e.level}] ${e.message}`).join('\n'),
    )
  },
})
