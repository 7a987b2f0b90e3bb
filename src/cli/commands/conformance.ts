import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { defineCommand } from 'citty'
import { describeOutcome, type ReportRow, summarize, toJson, toJunit } from '../../../conformance/report.ts'
import { runScenario } from '../../../conformance/run-scenario.ts'
import type { Scenario } from '../../../conformance/scenario.ts'
import { scenarios as allScenarios } from '../../../conformance/scenarios/index.ts'
import { COMMON_ARGS, prepare, providerArgs } from '../common.ts'
import { EXIT, UsageError } from '../exit-codes.ts'
import { table } from '../output.ts'
import { cliProvider, providerNames } from '../registry.ts'

const args = {
  provider: { type: 'string', description: `provider to test: ${['all', ...providerNames()].join(', ')} (default local)` },
  emulate: COMMON_ARGS.emulate,
  config: COMMON_ARGS.config,
  only: { type: 'string', description: 'comma-separated scenario ids to run' },
  json: { type: 'string', description: 'write the results as JSON to this file' },
  junit: { type: 'string', description: 'write the results as JUnit XML to this file' },
} as const

function pickScenarios(only: string | undefined): readonly Scenario[] {
  if (!only) return allScenarios
  const ids = only.split(',').map((id) => id.trim())
  const unknown = ids.filter((id) => !allScenarios.some((scenario) => scenario.id === id))
  if (unknown.length > 0)
    throw new UsageError(`--only: unknown scenario ${unknown.join(', ')} (known: ${allScenarios.map((s) => s.id).join(', ')})`)
  return allScenarios.filter((scenario) => ids.includes(scenario.id))
}

/** Shown after the usage by `--help`. */
export const examples = [
  'cloudfn conformance',
  'cloudfn conformance --provider all --emulate --junit report.xml',
  'cloudfn conformance --only lifecycle,timeout --json results.json',
]

export const conformance = defineCommand({
  meta: {
    name: 'conformance',
    description: 'Run the conformance scenarios against providers and print a table; exits non-zero on any failure.',
  },
  args: { ...args, ...providerArgs() },
  async run({ rawArgs, args: parsed }) {
    const env = await prepare(rawArgs, { ...args, ...providerArgs() }, { ...parsed, json: undefined, provider: 'local' })
    const scenarios = pickScenarios(parsed.only as string | undefined)
    const names = parsed.provider === 'all' ? providerNames() : [(parsed.provider as string | undefined) ?? 'local']
    const rows: ReportRow[] = []
    for (const name of names) {
      const providerSession = await cliProvider(name).load()
      for (const target of await providerSession.conformanceTargets({ flags: {}, emulate: parsed.emulate === true })) {
        const unavailable = target.unavailable?.()
        const session = unavailable ? undefined : await target.setup()
        for (const scenario of scenarios) {
          env.output.step(`${target.name}: ${scenario.id}`)
          const outcome = session
            ? await runScenario(scenario, session)
            : { status: 'skipped' as const, reason: unavailable ?? '' }
          rows.push({ target: target.name, scenario: scenario.id, title: scenario.title, outcome })
        }
        await session?.teardown()
      }
    }
    env.output.done()
    const counts = summarize(rows)
    console.log(
      table(
        ['TARGET', 'SCENARIO', 'RESULT'],
        rows.map((row) => [row.target, row.scenario, describeOutcome(row.outcome)]),
      ),
    )
    console.log(
      `\n${counts.passed} passed, ${counts.failed} failed, ${counts['not-supported']} not supported, ${counts.skipped} skipped`,
    )
    if (parsed.json) await writeFile(resolve(env.cwd, parsed.json as string), `${JSON.stringify(toJson(rows), null, 2)}\n`)
    if (parsed.junit) await writeFile(resolve(env.cwd, parsed.junit as string), toJunit(rows))
    if ((counts.failed ?? 0) > 0) process.exitCode = EXIT.failure
  },
})
