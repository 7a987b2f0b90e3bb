/**
 * `npm test` replays every transcript committed under fidelity/ against its
 * emulator: a transcript recorded from a real cloud turns emulator drift into
 * a failing test. A difference passes only when fidelity/allow-list.json names
 * it with its reason, and an entry that no difference needs fails too (the
 * emulator was fixed: remove the entry).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { packageRoot } from '../../src/package/package-root.ts'
import { type ExchangeResult, readAllowList, replayTranscript, reportRows, summarise, transcriptFiles } from './replay.ts'
import { parseTranscript } from './transcript.ts'

const dir = join(packageRoot(), 'fidelity')
const files = await transcriptFiles(dir)
const allowList = await readAllowList(dir)
const used = new Set<string>()

function unexpected(exchanges: readonly ExchangeResult[]): ExchangeResult[] {
  return exchanges.filter((e) => e.outcome === 'differs')
}

describe('committed transcripts replay against the emulators (fidelity/)', () => {
  it('there are transcripts to replay', () => {
    expect(files.length).toBeGreaterThan(0)
  })

  it.each(files)('%s', async (name) => {
    const transcript = parseTranscript(JSON.parse(await readFile(join(dir, name), 'utf8')), name)
    const result = await replayTranscript(transcript, name, { allowList, pollDelayMs: 25 })
    for (const e of result.exchanges) for (const d of e.differences) if (d.allowed) used.add(`${name}#${e.index}#${d.allowed}`)
    const rows = reportRows(summarise([result], allowList)).filter((row) => row[3]?.startsWith('DIFFERS'))
    expect(result.error).toBeUndefined()
    // The table rows of the differences the allow-list does not name, as `cloudfn fidelity` prints them.
    expect(rows.map((row) => row.join('  '))).toEqual([])
    expect(unexpected(result.exchanges)).toEqual([])
  })

  it('every allow-list entry is still needed', () => {
    const stale = allowList.allowed.filter(
      (entry) => ![...used].some((key) => key.startsWith(`${entry.transcript}#`) && key.endsWith(`#${entry.reason}`)),
    )
    expect(stale).toEqual([])
  })
})
