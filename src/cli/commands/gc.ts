import { providerCommand } from '../common.ts'
import { UsageError } from '../exit-codes.ts'

const args = {
  'older-than': { type: 'string', required: true, description: 'remove functions not updated for this long: 30m, 24h, 7d' },
  'dry-run': { type: 'boolean', description: 'only list what would be removed' },
} as const

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text)
  if (!match) throw new UsageError(`--older-than must be a number and a unit m, h or d, e.g. 24h (got ${JSON.stringify(text)})`)
  return Number(match[1]) * (UNITS[match[2] as string] ?? 0)
}

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn gc --older-than 24h --dry-run`, `cloudfn gc --older-than 7d --provider aws --region eu-west-1`]

export const gc = providerCommand({
  name: 'gc',
  description: 'Remove functions cloudfn manages that were not updated for a while (leftovers of crashed runs).',
  args: args,
  async run(env, parsed) {
    const cutoff = Date.now() - parseDuration(parsed['older-than'] as string)
    const cloud = await env.cloud()
    const stale = (await cloud.list()).filter((record) => Date.parse(record.updatedAt) < cutoff).map((record) => record.name)
    if (!parsed['dry-run']) for (const name of stale) await cloud.remove(name)
    const verb = parsed['dry-run'] ? 'would remove' : 'removed'
    env.output.result({ removed: parsed['dry-run'] ? [] : stale, stale }, () =>
      stale.length === 0 ? 'nothing to collect' : stale.map((name) => `${verb} ${name}`).join('\n'),
    )
  },
})
