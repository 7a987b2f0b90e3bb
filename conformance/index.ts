/**
 * `cloudfn/conformance`: the scenarios and how to run them, for checking a
 * provider (yours or ours) against the same expectations as every cloud.
 * The vitest runner is in `cloudfn/conformance/vitest`.
 */
export type { CloudfnError } from '../src/errors/cloudfn-error.ts'
export {
  assertExecutions,
  caughtError,
  countedExecutions,
  eventually,
  rejectedBeforeSending,
  rejectsWith,
  ScenarioSkipped,
} from './expect.ts'
export {
  costText,
  describeOutcome,
  REPORT_HEADERS,
  type ReportRow,
  reportCells,
  summarize,
  toJson,
  toJunit,
  totalCostUsd,
} from './report.ts'
export { runScenario, type ScenarioOutcome } from './run-scenario.ts'
export type { ConformanceTarget, Probe, Scenario, ScenarioContext, TargetSession } from './scenario.ts'
export { scenarios } from './scenarios/index.ts'
