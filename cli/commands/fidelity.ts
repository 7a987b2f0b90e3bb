import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { defineCommand } from 'citty'
import { EXIT, UsageError } from '../exit-codes.ts'
import { table } from '../output.ts'

const args = {
  dir: { type: 'positional', required: false, description: 'folder of transcripts (default: fidelity)' },
  only: { type: 'string', description: 'replay only transcripts whose path contains this text' },
  json: { type: 'string', description: 'write the results as JSON to this file' },
} as const

/** Shown after the usage by `--help`. */
export const examples = ['cloudfn fidelity', 'cloudfn fidelity recordings --only aws/ --json fidelity.json']

export const fidelity = defineCommand({
  meta: {
    name: 'fidelity',
    description:
      "Replay recorded real-cloud transcripts against the emulators and print a table; exits non-zero on a difference not in the folder's allow-list.json.",
  },
  args,
  async run({ rawArgs, args: parsed }) {
    for (const raw of rawArgs) {
      const name = raw.replace(/^--?/, '').split('=')[0] ?? ''
      if (raw.startsWith('-') && !['only', 'json', 'help', 'h'].includes(name))
        throw new UsageError(`unknown flag ${raw} (see --help)`)
    }
    const dir = resolve(process.cwd(), (parsed.dir as string | undefined) ?? 'fidelity')
    const only = parsed.only as string | undefined
    // Loaded on use: replaying needs msw and the emulators, which other commands do without.
    const { replayFolder, reportCounts, reportRows } = await import('../../conformance/fidelity/replay.ts')
    const report = await replayFolder(dir, only ? { only: (name) => name.includes(only) } : {})
    if (report.transcripts.length === 0) throw new UsageError(`no transcripts (*.json) under ${dir}`)
    console.log(table(['TRANSCRIPT', '#', 'REQUEST', 'RESULT'], reportRows(report)))
    const counts = reportCounts(report)
    console.log(
      `\n${report.transcripts.length} transcripts: ${counts.match} match, ${counts.differs} differ, ${counts.allowed} allowed differences, ${counts.sent} sent without a recorded answer`,
    )
    for (const entry of report.unused) {
      console.log(
        `allow-list entry no longer needed: ${entry.transcript}${entry.exchange === undefined ? '' : ` #${entry.exchange}`} (${entry.reason})`,
      )
    }
    if (parsed.json) await writeFile(resolve(process.cwd(), parsed.json as string), `${JSON.stringify(report, null, 2)}\n`)
    if (report.failed) process.exitCode = EXIT.failure
  },
})
