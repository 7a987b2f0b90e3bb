import { staleBundles } from '../bundle-temp.ts'
import { providerCommand } from '../common.ts'
import { UsageError } from '../exit-codes.ts'

const args = {
  'older-than': { type: 'string', required: true, description: 'remove what was not changed for this long: 30m, 24h, 7d' },
  'dry-run': { type: 'boolean', description: 'only list what would be removed' },
} as const

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text)
  if (!match) throw new UsageError(`--older-than must be a number and a unit m, h or d, e.g. 24h (got ${JSON.stringify(text)})`)
  return Number(match[1]) * (UNITS[match[2] as string] ?? 0)
}

/** Functions are shown by their name, as in every other command; other resources as `kind:name`. */
function shown(resource: string): string {
  return resource.startsWith('function:') ? resource.slice('function:'.length) : resource
}

/** Shown after the usage by `--help`. */
export const examples = [`cloudfn gc --older-than 24h --dry-run`, `cloudfn gc --older-than 7d --provider aws --region eu-west-1`]

export const gc = providerCommand({
  name: 'gc',
  description:
    'Remove functions cloudfn manages that were not updated for a while, and what crashed deploys left behind (tagged resources only).',
  args: args,
  async run(env, parsed) {
    const dryRun = parsed['dry-run'] === true
    const cloud = await env.cloud()
    const result = await cloud.gc({ olderThanMs: parseDuration(parsed['older-than'] as string), dryRun })
    // The CLI's own leftovers: compiled copies of modules from killed runs.
    const bundles = staleBundles(env.cwd)
    if (!dryRun) bundles.remove()
    const stale = [...result.removed.map(shown), ...bundles.paths.map((path) => `temp:${path}`)]
    const verb = dryRun ? 'would remove' : 'removed'
    // The keys of the API's GcResult; with --dry-run, `removed` lists what would go.
    env.output.result({ removed: stale, kept: result.kept.map(shown), dryRun }, () =>
      stale.length === 0 ? 'nothing to collect' : stale.map((name) => `${verb} ${name}`).join('\n'),
    )
  },
})
