import type { InvokeMeta } from '../../src/handle.ts'
import { providerCommand } from '../common.ts'
import { readInput } from '../read-input.ts'

const args = {
  name: { type: 'positional', required: true, description: 'function name' },
  data: { type: 'string', description: 'input as JSON, or @file to read it from a file (default: null)' },
  async: { type: 'boolean', description: 'queue the execution and return its id at once' },
  logs: { type: 'boolean', description: "also print the execution's log lines" },
  cost: { type: 'boolean', description: 'also print what the execution was billed and cost, and what that assumes' },
} as const

/** Shown after the usage by `--help`. */
export const examples = [
  `cloudfn invoke resize --data '{"url":"a.png","width":100}'`,
  `cloudfn invoke resize --data @input.json --logs`,
  `cloudfn invoke resize --data '{}' --async`,
  `cloudfn invoke resize --data '{}' --cost`,
]

export const invoke = providerCommand({
  name: 'invoke',
  description: 'Run a deployed function and print its result.',
  args: args,
  async run(env, parsed) {
    const input = await readInput(parsed.data as string | undefined, env.cwd)
    const fn = await (await env.cloud()).get(parsed.name as string)
    if (parsed.async) {
      const queued = await fn.invokeAsync(input)
      // The execution runs later: its cost is unknown here, which `--cost` says rather than printing nothing.
      const unpriced = 'cost: not priced (it runs later; only the cloud’s logs or bill say for how long)'
      env.output.result(queued, () => [`queued execution ${queued.executionId}`, ...(parsed.cost ? [unpriced] : [])].join('\n'))
      return
    }
    const result = await fn.invokeDetailed(input)
    const logs = parsed.logs
      ? (result.logs ?? (await fn.logs()).filter((entry) => entry.executionId === result.meta.executionId))
      : undefined
    env.output.result({ value: result.value, meta: result.meta, ...(logs ? { logs } : {}) }, () =>
      [
        JSON.stringify(result.value, null, 2),
        ...(logs ?? []).map((entry) => `[${entry.level}] ${entry.message}`),
        `(${result.meta.coldStart ? 'cold start, ' : ''}${result.meta.durationMs} ms, execution ${result.meta.executionId})`,
        ...(parsed.cost ? costLines(result.meta) : []),
      ].join('\n'),
    )
  },
})

/** `--cost`: the billed duration, the cost and its parts, and what the figures assume. */
export function costLines(meta: InvokeMeta): string[] {
  const usd = (value: number) => `$${value.toFixed(10).replace(/0+$/, '').replace(/\.$/, '')}`
  const { cost } = meta
  return [
    `billed ${meta.billedMs} ms; cost ${usd(cost.usd)} (compute ${usd(cost.breakdown.compute)}, requests ${usd(cost.breakdown.requests)})`,
    ...cost.assumptions.map((assumption) => `  - ${assumption}`),
  ]
}
