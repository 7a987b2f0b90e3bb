import { writeFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { defineCommand } from 'citty'
import { notRecordable, type RunRecording, recordRun } from '../../conformance/fidelity/record-run.ts'
import {
  REPORT_HEADERS,
  type ReportRow,
  reportCells,
  summarize,
  toJson,
  toJunit,
  totalCostUsd,
} from '../../conformance/report.ts'
import { leftoversOf, newRunId, runScenario } from '../../conformance/run-scenario.ts'
import type { ConformanceTarget, Scenario } from '../../conformance/scenario.ts'
import { scenarios as allScenarios } from '../../conformance/scenarios/index.ts'
import { COMMON_ARGS, prepare, providerArgs } from '../common.ts'
import { EXIT, UsageError } from '../exit-codes.ts'
import { table } from '../output.ts'
import { cliProvider, DEFAULT_PROVIDER, providerNames } from '../registry.ts'

const args = {
  provider: {
    type: 'string',
    description: `provider to test: ${['all', ...providerNames()].join(', ')} (default ${DEFAULT_PROVIDER})`,
  },
  emulate: COMMON_ARGS.emulate,
  config: COMMON_ARGS.config,
  only: { type: 'string', description: 'comma-separated scenario ids to run' },
  json: { type: 'string', description: 'write the results as JSON to this file' },
  junit: { type: 'string', description: 'write the results as JUnit XML to this file' },
  yes: { type: 'boolean', description: 'run against real accounts without asking (they create billable resources)' },
  record: {
    type: 'string',
    description:
      'record every HTTP exchange of each scenario against a real cloud to <dir>/<target>/<scenario>.json, scrubbed (replay with cloudfn fidelity)',
  },
  'allow-skipped': {
    type: 'boolean',
    description: 'exit 0 even when no scenario ran (e.g. real-cloud targets without credentials)',
  },
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
  'cloudfn conformance --provider aws --yes --record fidelity',
]

export const conformance = defineCommand({
  meta: {
    name: 'conformance',
    description: 'Run the conformance scenarios against providers and print a table; exits non-zero on any failure.',
  },
  args: { ...args, ...providerArgs() },
  async run({ rawArgs, args: parsed }) {
    const env = await prepare(rawArgs, { ...args, ...providerArgs() }, { ...parsed, json: undefined, provider: DEFAULT_PROVIDER })
    const scenarios = pickScenarios(parsed.only as string | undefined)
    const recordDir = parsed.record ? resolve(env.cwd, parsed.record as string) : undefined
    if (recordDir && parsed.emulate === true) {
      throw new UsageError(
        '--record records real clouds; an emulated run has nothing to record (replay recordings with cloudfn fidelity)',
      )
    }
    const names = parsed.provider === 'all' ? providerNames() : [(parsed.provider as string | undefined) ?? DEFAULT_PROVIDER]
    const targets: ConformanceTarget[] = []
    const providerOf = new Map<ConformanceTarget, string>()
    for (const name of names) {
      const providerSession = await cliProvider(name).load()
      for (const target of await providerSession.conformanceTargets({ flags: {}, emulate: parsed.emulate === true })) {
        targets.push(target)
        providerOf.set(target, name)
      }
    }
    await confirmRealClouds(
      targets.filter((target) => target.realCloud && !target.unavailable?.()),
      parsed.yes === true,
    )
    const runId = newRunId()
    const rows: ReportRow[] = []
    const leftovers: string[] = []
    const recordings: string[] = []
    for (const target of targets) {
      const unavailable = target.unavailable?.()
      const notRecorded = recordDir ? notRecordable(target) : undefined
      if (notRecorded) recordings.push(`${target.name}: not recorded: ${notRecorded}`)
      const recording: RunRecording | undefined =
        recordDir && !notRecorded ? await recordRun(target, providerOf.get(target) ?? target.name, recordDir) : undefined
      try {
        const session = unavailable ? undefined : await target.setup()
        await recording?.started()
        for (const scenario of scenarios) {
          env.output.step(`${target.name}: ${scenario.id}`)
          const outcome = session
            ? await runScenario(scenario, session, runId)
            : { status: 'skipped' as const, reason: unavailable ?? '' }
          rows.push({ target: target.name, scenario: scenario.id, title: scenario.title, outcome })
          const written = await recording?.scenarioDone(scenario.id, outcome.status)
          if (written && 'file' in written) recordings.push(`${target.name}: ${scenario.id}: ${relative(env.cwd, written.file)}`)
          if (written && 'refused' in written) recordings.push(`${target.name}: ${scenario.id}: NOT WRITTEN: ${written.refused}`)
        }
        if (session) leftovers.push(...(await leftoversOf(runId, session)).map((fn) => `${target.name}: ${fn}`))
        await session?.teardown()
      } finally {
        recording?.stop()
      }
    }
    env.output.done()
    const counts = summarize(rows)
    console.log(table(REPORT_HEADERS, rows.map(reportCells)))
    console.log(
      `\n${counts.passed} passed, ${counts.failed} failed, ${counts['not-supported']} not supported, ${counts.skipped} skipped; executions cost $${totalCostUsd(rows).toFixed(6)} by the price tables (free tier not subtracted)`,
    )
    if (parsed.json) await writeFile(resolve(env.cwd, parsed.json as string), `${JSON.stringify(toJson(rows), null, 2)}\n`)
    if (parsed.junit) await writeFile(resolve(env.cwd, parsed.junit as string), toJunit(rows))
    if (recordings.length > 0) console.log(`\nrecordings:\n${recordings.map((line) => `  ${line}`).join('\n')}`)
    if (leftovers.length > 0) console.log(`\nLEFT BEHIND by run ${runId}: ${leftovers.join(', ')}`)
    else console.log(`nothing left behind by run ${runId}`)
    const refused = recordings.some((line) => line.includes('NOT WRITTEN'))
    if ((counts.failed ?? 0) > 0 || leftovers.length > 0 || refused) process.exitCode = EXIT.failure
    else if (noneRan(rows) && parsed['allow-skipped'] !== true) {
      // A run that tested nothing must not look green in CI.
      const reasons = [...new Set(rows.map((row) => ('reason' in row.outcome ? row.outcome.reason : '')).filter(Boolean))]
      console.error(
        `cloudfn: no scenario ran (${reasons.join('; ') || 'every scenario was skipped'}); pass --allow-skipped if that is expected`,
      )
      process.exitCode = EXIT.failure
    }
  },
})

/** Real accounts cost money: say what a run creates and costs, then ask (or take --yes). */
async function confirmRealClouds(targets: readonly ConformanceTarget[], yes: boolean): Promise<void> {
  if (targets.length === 0 || yes) return
  for (const target of targets) {
    console.log(`${target.name}: creates ${target.realCloud?.creates}\n  estimated cost: ${target.realCloud?.cost}`)
  }
  if (!process.stdin.isTTY) throw new UsageError('this run creates billable resources in real accounts; pass --yes to go ahead')
  const { createInterface } = await import('node:readline/promises')
  const prompt = createInterface({ input: process.stdin, output: process.stdout })
  const answer = await prompt.question('Go ahead? [y/N] ')
  prompt.close()
  if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('cancelled; nothing was created')
}

/** True when rows exist and every one was skipped or not supported: nothing was tested. */
export function noneRan(rows: readonly ReportRow[]): boolean {
  return rows.length > 0 && rows.every((row) => row.outcome.status === 'skipped' || row.outcome.status === 'not-supported')
}
