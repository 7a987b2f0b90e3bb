import { formatPlan } from '../../src/plan.ts'
import { providerCommand } from '../common.ts'
import { describeTrigger } from '../describe-trigger.ts'
import { loadDefinition } from '../load-definition.ts'

const args = {
  target: { type: 'positional', required: true, description: 'module exporting the function: <file>[#export]' },
  name: { type: 'string', description: "deploy under this name instead of the definition's" },
  'dry-run': { type: 'boolean', description: 'print what the deploy would change, one line per change; change nothing' },
} as const

/** Shown after the usage by `--help`. */
export const examples = [
  `cloudfn deploy functions/resize.ts`,
  `cloudfn deploy functions/all.ts#resize --name resize-staging --provider aws --region eu-west-1`,
  `cloudfn deploy functions/resize.ts --dry-run`,
]

export const deploy = providerCommand({
  name: 'deploy',
  description: 'Create or update a function (idempotent).',
  args: args,
  async run(env, parsed) {
    const definition = await loadDefinition(parsed.target as string, env.cwd)
    const cloud = await env.cloud()
    const name = parsed.name as string | undefined
    if (parsed['dry-run'] === true) {
      // Read calls only (see cloud.plan): what exists is compared with the definition, nothing is written.
      const plan = await cloud.plan(definition, name === undefined ? {} : { name })
      env.output.result({ ...plan, dryRun: true }, () =>
        [...formatPlan(plan), ...plan.warnings.map((warning) => `warning: ${warning.setting}: ${warning.message}`)].join('\n'),
      )
      return
    }
    const fn = await cloud.deploy(definition, {
      ...(name === undefined ? {} : { name }),
      onProgress: (step) => env.output.step(`deploy ${name ?? definition.name}: ${step}`),
    })
    env.output.result(fn.toJSON(), () =>
      [
        `${fn.status} ${fn.name} on ${fn.provider} (code ${fn.codeHash.slice(0, 12)}, ${fn.memoryMb} MB, ${fn.timeoutSec} s)`,
        ...(fn.trigger ? [`trigger: ${describeTrigger(fn.trigger)}`] : []),
        ...(fn.url ? [`url: ${fn.url}`] : []),
        ...fn.warnings.map((warning) => `warning: ${warning.setting}: ${warning.message}`),
      ].join('\n'),
    )
  },
})
