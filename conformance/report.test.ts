import { describe, expect, it } from 'vitest'
import { costText, REPORT_HEADERS, type ReportRow, reportCells, toJson, totalCostUsd } from './report.ts'

const rows: ReportRow[] = [
  {
    target: 'aws-emulated',
    scenario: 'cost-meta',
    title: 't',
    outcome: { status: 'passed', durationMs: 12, costUsd: 0.0000012346 },
  },
  { target: 'aws-emulated', scenario: 'lifecycle', title: 't', outcome: { status: 'passed', durationMs: 3, costUsd: 0 } },
  {
    target: 'aws-emulated',
    scenario: 'errors',
    title: 't',
    outcome: { status: 'failed', durationMs: 5, error: new Error('x'), costUsd: 0.02 },
  },
  { target: 'aws-emulated', scenario: 'queue', title: 't', outcome: { status: 'not-supported', reason: 'no queues' } },
]

describe('conformance report: the cost column', () => {
  it('shows what each scenario’s executions cost, and - where none ran', () => {
    expect(REPORT_HEADERS).toEqual(['TARGET', 'SCENARIO', 'RESULT', 'COST (USD)'])
    expect(rows.map(reportCells)).toEqual([
      ['aws-emulated', 'cost-meta', 'passed (12 ms)', '0.000001235'],
      ['aws-emulated', 'lifecycle', 'passed (3 ms)', '0'],
      ['aws-emulated', 'errors', 'FAILED: Error: x', '0.0200'],
      ['aws-emulated', 'queue', 'not supported: no queues', '-'],
    ])
    expect(costText({ status: 'skipped', reason: 'r' })).toBe('-')
  })

  it('totals it, and --json carries it per scenario and in all', () => {
    expect(totalCostUsd(rows)).toBeCloseTo(0.0200012346, 12)
    const json = toJson(rows) as { costUsd: number; results: Array<{ scenario: string; costUsd?: number }> }
    expect(json.costUsd).toBeCloseTo(0.0200012346, 12)
    expect(json.results.map((result) => [result.scenario, result.costUsd])).toEqual([
      ['cost-meta', 0.0000012346],
      ['lifecycle', 0],
      ['errors', 0.02],
      ['queue', undefined],
    ])
  })
})
