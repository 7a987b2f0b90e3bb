import type { ScenarioOutcome } from './run-scenario.ts'

export interface ReportRow {
  target: string
  scenario: string
  title: string
  outcome: ScenarioOutcome
}

export function summarize(rows: readonly ReportRow[]): Record<string, number> {
  const counts: Record<string, number> = { passed: 0, failed: 0, 'not-supported': 0, skipped: 0 }
  for (const row of rows) counts[row.outcome.status] = (counts[row.outcome.status] ?? 0) + 1
  return counts
}

export function describeOutcome(outcome: ReportRow['outcome']): string {
  switch (outcome.status) {
    case 'passed':
      return `passed (${outcome.durationMs} ms)`
    case 'failed':
      return `FAILED: ${errorText(outcome.error)}`
    case 'not-supported':
      return `not supported: ${outcome.reason}`
    case 'skipped':
      return `skipped: ${outcome.reason}`
  }
}

/** The text table's columns (`cloudfn conformance`). */
export const REPORT_HEADERS = ['TARGET', 'SCENARIO', 'RESULT', 'COST (USD)'] as const

/** One row of the text table: the outcome and what its executions cost. */
export function reportCells(row: ReportRow): string[] {
  return [row.target, row.scenario, describeOutcome(row.outcome), costText(row.outcome)]
}

/**
 * What a scenario's executions cost by the backend's price table (free tier
 * not subtracted; see `capabilities.billedDuration` for reported versus
 * estimated durations); `-` where nothing ran.
 */
export function costText(outcome: ReportRow['outcome']): string {
  const usd = 'costUsd' in outcome ? outcome.costUsd : undefined
  if (usd === undefined) return '-'
  return usd === 0 ? '0' : usd.toFixed(usd >= 0.01 ? 4 : 9)
}

/** What every row's executions cost, together. */
export function totalCostUsd(rows: readonly ReportRow[]): number {
  return rows.reduce((total, row) => total + ('costUsd' in row.outcome ? (row.outcome.costUsd ?? 0) : 0), 0)
}

export function errorText(error: unknown): string {
  return error instanceof Error ? (`${error.name}: ${error.message}`.split('\n')[0] ?? '') : String(error)
}

/** Plain data for `--json`. */
export function toJson(rows: readonly ReportRow[]): unknown {
  return {
    summary: summarize(rows),
    costUsd: totalCostUsd(rows),
    results: rows.map(({ target, scenario, title, outcome }) => ({
      target,
      scenario,
      title,
      status: outcome.status,
      ...('durationMs' in outcome ? { durationMs: outcome.durationMs } : {}),
      ...('costUsd' in outcome && outcome.costUsd !== undefined ? { costUsd: outcome.costUsd } : {}),
      ...('reason' in outcome ? { reason: outcome.reason } : {}),
      ...('error' in outcome ? { error: errorText(outcome.error) } : {}),
    })),
  }
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c)

/** JUnit XML for CI systems: one testsuite per target. */
export function toJunit(rows: readonly ReportRow[]): string {
  const targets = [...new Set(rows.map((row) => row.target))]
  const suites = targets.map((target) => {
    const mine = rows.filter((row) => row.target === target)
    const counts = summarize(mine)
    const cases = mine.map(({ scenario, title, outcome }) => {
      const time = 'durationMs' in outcome ? (outcome.durationMs / 1000).toFixed(3) : '0'
      const open = `    <testcase classname="${escapeXml(target)}" name="${escapeXml(`${scenario}: ${title}`)}" time="${time}"`
      if (outcome.status === 'passed') return `${open}/>`
      if (outcome.status === 'failed')
        return `${open}>\n      <failure message="${escapeXml(errorText(outcome.error))}"/>\n    </testcase>`
      return `${open}>\n      <skipped message="${escapeXml(describeOutcome(outcome))}"/>\n    </testcase>`
    })
    const skipped = (counts['not-supported'] ?? 0) + (counts.skipped ?? 0)
    return `  <testsuite name="${escapeXml(target)}" tests="${mine.length}" failures="${counts.failed}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`
  })
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cloudfn conformance">\n${suites.join('\n')}\n</testsuites>\n`
}
