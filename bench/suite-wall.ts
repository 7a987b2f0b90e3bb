/**
 * Wall time of the two whole-suite figures of issue #19, each run as a user
 * runs it, with the machine's load average before and after (a 2-core machine
 * shared with other work: a suite's wall time grows with that load, so the
 * figure is only read together with it).
 *
 * - `cloudfn conformance --provider all --emulate` (the built CLI, every
 *   scenario on every emulator and the local fake): run by `npm run bench`
 *   unless BENCH_SKIP_CONFORMANCE=1.
 * - `npm test`: only with BENCH_NPM_TEST=1 (it takes many minutes, and a
 *   bench run inside a test run, or beside other sessions' runs, measures
 *   them too); otherwise recorded as not measured.
 */
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { round2 } from './measure.ts'

export interface SuiteWall {
  command: string
  /** Undefined when the run was skipped (`skipped` says why). */
  wallSec?: number
  exitCode?: number | null
  /** One-minute load average when it started and when it ended. */
  loadBefore?: number
  loadAfter?: number
  /** The run's last output lines, or what `summarise` made of its output. */
  summary?: unknown
  skipped?: string
}

const root = fileURLToPath(new URL('..', import.meta.url))

function timed(command: string, args: readonly string[], summarise = (lines: string[]): unknown => lines.slice(-6)): SuiteWall {
  const loadBefore = round2(loadavg()[0] ?? 0)
  const started = performance.now()
  const run = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const wallSec = round2((performance.now() - started) / 1000)
  // Colours are not part of the summary.
  const output = stripVTControlCharacters(`${run.stdout ?? ''}${run.stderr ?? ''}`)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
  return {
    command: [command, ...args].join(' '),
    wallSec,
    exitCode: run.status,
    loadBefore,
    loadAfter: round2(loadavg()[0] ?? 0),
    summary: summarise(output),
  }
}

/** `cloudfn conformance --provider all --emulate` with the CLI `npm run bench` has just built. */
export function conformanceWall(): SuiteWall {
  const command = 'cloudfn conformance --provider all --emulate'
  if (process.env.BENCH_SKIP_CONFORMANCE === '1') return { command, skipped: 'BENCH_SKIP_CONFORMANCE=1' }
  return {
    ...timed(process.execPath, ['dist/cli.js', 'conformance', '--provider', 'all', '--emulate'], conformanceSummary),
    command,
  }
}

/** `npm test`, only when asked for. */
export function npmTestWall(): SuiteWall {
  if (process.env.BENCH_NPM_TEST !== '1') return { command: 'npm test', skipped: 'run with BENCH_NPM_TEST=1 to measure' }
  return timed('npm', ['test'])
}

/** The CLI's result rows (`TARGET  SCENARIO  passed (N ms) | FAILED: ... | not supported: ...`), counted. */
export function conformanceSummary(lines: string[]): unknown {
  const rows = lines
    .map((line) => /^(\S+)\s+(\S+)\s+(passed \((\d+) ms\)|FAILED: (.*?)\s{2,}|not supported)/.exec(line))
    .filter((row) => row !== null)
  const failed = rows.filter((row) => row[3]?.startsWith('FAILED'))
  const busiest = rows
    .filter((row) => row[4] !== undefined)
    .sort((a, b) => Number(b[4]) - Number(a[4]))
    .slice(0, 5)
  const msByTarget: Record<string, number> = {}
  for (const row of rows)
    if (row[4] !== undefined) msByTarget[row[1] as string] = (msByTarget[row[1] as string] ?? 0) + Number(row[4])
  return {
    passed: rows.filter((row) => row[4] !== undefined).length,
    failed: failed.map((row) => `${row[1]} ${row[2]}: ${(row[5] ?? '').slice(0, 100)}`),
    notSupported: rows.filter((row) => row[3] === 'not supported').length,
    /** Sum of the scenarios' own durations per target: the targets run one after another. */
    scenarioSecByTarget: Object.fromEntries(Object.entries(msByTarget).map(([target, ms]) => [target, round2(ms / 1000)])),
    slowest: busiest.map((row) => `${row[1]} ${row[2]} ${row[4]} ms`),
  }
}
