import { afterAll, beforeAll, describe, it } from 'vitest'
import { runScenario } from './run-scenario.ts'
import type { ConformanceTarget, Scenario, TargetSession } from './scenario.ts'
import { scenarios as allScenarios } from './scenarios/index.ts'

/**
 * Registers one `describe` per target and one test per scenario. A scenario
 * the target's capabilities exclude, or a target that cannot run here, is
 * reported as skipped with the reason, never as passed.
 */
export function runConformance(targets: readonly ConformanceTarget[], scenarios: readonly Scenario[] = allScenarios): void {
  for (const target of targets) {
    describe(`conformance: ${target.name}`, () => {
      const unavailable = target.unavailable?.()
      if (unavailable) console.info(`[${target.name}] skipped: ${unavailable}`)
      let session: TargetSession | undefined
      beforeAll(async () => {
        if (!unavailable) session = await target.setup()
      })
      afterAll(async () => {
        await session?.teardown()
      })
      for (const scenario of scenarios) {
        it(`${scenario.id}: ${scenario.title}`, async (context) => {
          if (unavailable) context.skip(unavailable)
          if (!session) throw new Error(`target ${target.name} did not set up`)
          const outcome = await runScenario(scenario, session)
          if (outcome.status === 'not-supported') context.skip(`not supported: ${outcome.reason}`)
          if (outcome.status === 'skipped') context.skip(`skipped: ${outcome.reason}`)
          if (outcome.status === 'failed') throw outcome.error
        }, 120_000)
      }
    })
  }
}
