import { randomBytes } from 'node:crypto'
import { ScenarioSkipped } from './expect.ts'
import type { Scenario, TargetSession } from './scenario.ts'

export type ScenarioOutcome =
  /** `costUsd`: what the scenario's executions cost by the backend's price table (the report's cost column). */
  | { status: 'passed'; durationMs: number; costUsd?: number }
  | { status: 'failed'; durationMs: number; error: unknown; costUsd?: number }
  | { status: 'not-supported'; reason: string }
  /** The target could not make one of the scenario's checks, or cannot run here. */
  | { status: 'skipped'; reason: string }

/** A run id: every function a run creates is named `<run id><n>-...`, so leftovers can be found. */
export function newRunId(): string {
  return `cf${randomBytes(3).toString('hex')}`
}

let scenariosStarted = 0

/**
 * Runs one scenario on a session and checks, through the probe, that it left
 * no function behind (removing any it finds, so later scenarios start clean).
 * Function names start with `runId` and a per-scenario number.
 */
export async function runScenario(scenario: Scenario, session: TargetSession, runId = newRunId()): Promise<ScenarioOutcome> {
  const reason = scenario.requires?.(session.cloud.capabilities)
  if (reason) return { status: 'not-supported', reason }
  const prefix = `${runId}${(scenariosStarted++).toString(36)}`
  const started = performance.now()
  const costBefore = session.cloud.costSnapshot().usd
  let error: unknown
  try {
    await scenario.run({
      cloud: session.cloud,
      probe: session.probe,
      clock: session.clock,
      inbox: session.inbox,
      faults: session.faults,
      objects: session.objects,
      handlersInProcess: session.handlersInProcess ?? false,
      foreignQueues: session.foreignQueues,
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
  const costUsd = session.cloud.costSnapshot().usd - costBefore
  if (error instanceof ScenarioSkipped && leftovers.length === 0) return { status: 'skipped', reason: error.message }
  return error === undefined ? { status: 'passed', durationMs, costUsd } : { status: 'failed', durationMs, error, costUsd }
}

/** Functions still held by the backend whose names carry the run id: what a run left behind. */
export async function leftoversOf(runId: string, session: TargetSession): Promise<string[]> {
  return (await session.probe.functionNames()).filter((name) => name.startsWith(runId))
}
