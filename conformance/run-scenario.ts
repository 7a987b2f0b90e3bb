import { randomBytes } from 'node:crypto'
import type { Scenario, TargetSession } from './scenario.ts'

export type ScenarioOutcome =
  | { status: 'passed'; durationMs: number }
  | { status: 'failed'; durationMs: number; error: unknown }
  | { status: 'not-supported'; reason: string }

/**
 * Runs one scenario on a session and checks, through the probe, that it left
 * no function behind (removing any it finds, so later scenarios start clean).
 */
export async function runScenario(scenario: Scenario, session: TargetSession): Promise<ScenarioOutcome> {
  const reason = scenario.requires?.(session.cloud.capabilities)
  if (reason) return { status: 'not-supported', reason }
  const prefix = `cf${randomBytes(3).toString('hex')}`
  const started = performance.now()
  let error: unknown
  try {
    await scenario.run({
      cloud: session.cloud,
      probe: session.probe,
      capabilities: session.cloud.capabilities,
      name: (suffix) => `${prefix}-${suffix}`,
    })
  } catch (thrown) {
    error = thrown
  }
  const leftovers = (await session.probe.functionNames()).filter((name) => name.startsWith(`${prefix}-`))
  for (const name of leftovers) await session.cloud.remove(name)
  if (error === undefined && leftovers.length > 0) {
    error = new Error(`scenario ${scenario.id} left functions behind: ${leftovers.join(', ')}`)
  }
  const durationMs = Math.round(performance.now() - started)
  return error === undefined ? { status: 'passed', durationMs } : { status: 'failed', durationMs, error }
}
