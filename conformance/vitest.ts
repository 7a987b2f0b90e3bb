import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { notRecordable, type RunRecording, recordRun } from './fidelity/record-run.ts'
import { runScenario } from './run-scenario.ts'
import type { ConformanceTarget, Scenario, TargetSession } from './scenario.ts'
import { scenarios as allScenarios } from './scenarios/index.ts'

/**
 * A scenario known to fail on one target until a named fix lands, keyed
 * `<target name>/<scenario id>`, with the issue that tracks it. It runs as
 * `it.fails`: the run stays green while it fails, and turns red the moment
 * it passes, so the entry is removed together with the fix.
 */
export type ExpectedFailures = Readonly<Record<string, string>>

/**
 * Registers one `describe` per target and one test per scenario. A scenario
 * the target's capabilities exclude, or a target that cannot run here, is
 * reported as skipped with the reason, never as passed. With `CLOUDFN_RECORD=<dir>`
 * in the environment, a real-cloud target's HTTP exchanges are recorded, one
 * scrubbed transcript per scenario, as `cloudfn conformance --record <dir>` does.
 */
export function runConformance(
  targets: readonly ConformanceTarget[],
  scenarios: readonly Scenario[] = allScenarios,
  expectedFailures: ExpectedFailures = {},
): void {
  const known = new Set(targets.flatMap((target) => scenarios.map((scenario) => `${target.name}/${scenario.id}`)))
  const unknown = Object.keys(expectedFailures).filter((key) => !known.has(key))
  if (unknown.length > 0) throw new Error(`expected failures name no target/scenario: ${unknown.join(', ')}`)
  for (const target of targets) {
    describe(`conformance: ${target.name}`, () => {
      const unavailable = target.unavailable?.()
      if (unavailable) console.info(`[${target.name}] skipped: ${unavailable}`)
      let session: TargetSession | undefined
      let recording: RunRecording | undefined
      const recordDir = process.env.CLOUDFN_RECORD
      beforeAll(async () => {
        if (unavailable) return
        const notRecorded = recordDir ? notRecordable(target) : undefined
        if (notRecorded) console.info(`[${target.name}] not recorded: ${notRecorded}`)
        if (recordDir && !notRecorded) recording = await recordRun(target, target.name, resolve(recordDir))
        session = await target.setup()
        await recording?.started()
      })
      afterAll(async () => {
        await session?.teardown()
        recording?.stop()
      })
      for (const scenario of scenarios) {
        const key = `${target.name}/${scenario.id}`
        const expected = unavailable ? undefined : expectedFailures[key]
        const register = expected ? it.fails : it
        const title = expected ? `${scenario.id} [EXPECTED FAILURE until ${expected}]` : `${scenario.id}: ${scenario.title}`
        register(
          title,
          async (context) => {
            if (unavailable) context.skip(unavailable)
            if (!session) throw new Error(`target ${target.name} did not set up`)
            const outcome = await runScenario(scenario, session)
            const written = await recording?.scenarioDone(scenario.id, outcome.status)
            if (written && 'refused' in written) throw new Error(written.refused)
            if (outcome.status === 'not-supported') context.skip(`not supported: ${outcome.reason}`)
            if (outcome.status === 'skipped') context.skip(`skipped: ${outcome.reason}`)
            if (outcome.status === 'failed') throw outcome.error
          },
          120_000,
        )
      }
    })
  }
}
