/**
 * Replays transcripts against the emulators: each transcript's requests, in
 * order, through a fresh emulator's msw handlers (msw's `getResponse`: no
 * server, no network), each answer compared with the recorded one
 * (compare.ts). Values the cloud generated and a later request reuses (a
 * RevisionId, an operation name, an etag) are bound to the emulator's own as
 * the replay goes: where the recorded and the replayed answers differ at the
 * same place, later requests get the emulator's value.
 */
import { readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { getResponse, type RequestHandler } from 'msw'
import { glob } from 'tinyglobby'
import { type AllowList, allowedBy, EMPTY_ALLOW_LIST, parseAllowList } from './allow-list.ts'
import { compareResponses, type Difference } from './compare.ts'
import { DEFAULT_NORMALISERS, type Normaliser } from './normalise.ts'
import { fidelityOf } from './provider.ts'
import type { Body, Exchange, RecordedRequest, RecordedResponse, Transcript } from './transcript.ts'
import { parseTranscript } from './transcript.ts'

export const ALLOW_LIST_FILE = 'allow-list.json'

export interface ReplayOptions {
  /** Extra normalisers and allowed differences. */
  allowList?: AllowList
  /**
   * Time between two polls of a poll run (default 50 ms): the emulator's clock is advanced by it
   * where the emulator has a manual one (`ReplayTarget.advance`), else the replayer waits that long.
   */
  pollDelayMs?: number
  /**
   * How long a poll run may wait for the recorded final answer (default 60 s): emulator time on a
   * manual clock, else wall time (a hang guard).
   */
  pollTimeoutMs?: number
}

export interface DifferenceResult extends Difference {
  /** The allow-list's reason when the difference is a known one. */
  allowed?: string
}

export interface ExchangeResult {
  /** Index of the exchange in the transcript (the first of a poll run). */
  index: number
  /** Exchanges this row covers: more than 1 for a poll run. */
  count: number
  request: string
  outcome: 'match' | 'differs' | 'allowed' | 'sent'
  differences: DifferenceResult[]
}

export interface TranscriptResult {
  /** The transcript's path relative to the folder (forward slashes). */
  name: string
  provider: string
  /** Set when the transcript could not be replayed at all (unreadable, no emulator). */
  error?: string
  exchanges: ExchangeResult[]
}

export interface FidelityReport {
  transcripts: TranscriptResult[]
  /** Allow-list entries no difference needed: the emulator or the recording changed, remove them. */
  unused: AllowList['allowed']
  /** True when some difference is not on the allow-list (or a transcript could not be replayed). */
  failed: boolean
}

type Substitutions = Map<string, string>

function substitute(text: string, substitutions: Substitutions): string {
  let out = text
  for (const [from, to] of [...substitutions].sort((a, b) => b[0].length - a[0].length)) out = out.replaceAll(from, to)
  return out
}

function mapStrings(value: unknown, f: (text: string) => string): unknown {
  if (typeof value === 'string') return f(value)
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f))
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [f(k), mapStrings(v, f)]))
  }
  return value
}

function mapBody(body: Body, f: (text: string) => string): Body {
  if (!body || 'base64' in body) return body
  if ('json' in body) return { json: mapStrings(body.json, f) }
  return { text: f(body.text) }
}

/** The request as the emulator gets it: bound values and placeholders filled. */
export function toRequest(recorded: RecordedRequest, fill: (text: string) => string): Request {
  const query = new URLSearchParams(recorded.query.map(([name, value]): [string, string] => [name, fill(value)]))
  const search = recorded.query.length > 0 ? `?${query}` : ''
  const headers = new Headers(Object.entries(recorded.headers).map(([name, value]): [string, string] => [name, fill(value)]))
  const body = mapBody(recorded.body, fill)
  let payload: string | Uint8Array<ArrayBuffer> | undefined
  if (body && 'json' in body) payload = JSON.stringify(body.json)
  else if (body && 'text' in body) payload = body.text
  else if (body && 'base64' in body) payload = new Uint8Array(Buffer.from(body.base64, 'base64'))
  const init: RequestInit = { method: recorded.method, headers }
  if (payload !== undefined && recorded.method !== 'GET' && recorded.method !== 'HEAD') init.body = payload
  return new Request(`https://${fill(recorded.host)}${fill(recorded.path)}${search}`, init)
}

async function toRecorded(response: Response, unfill: (text: string) => string): Promise<RecordedResponse> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = unfill(value)
  })
  const bytes = new Uint8Array(await response.arrayBuffer())
  let body: Body = null
  if (bytes.byteLength > 0) {
    const text = Buffer.from(bytes).toString('utf8')
    try {
      body = { json: JSON.parse(text) }
    } catch {
      body = { text }
    }
  }
  return { status: response.status, headers, body: mapBody(body, unfill) }
}

/** Where recorded and replayed answers hold different id-like strings at the same place: recorded → replayed. */
function bind(recorded: unknown, replayed: unknown, into: Substitutions): void {
  if (typeof recorded === 'string' && typeof replayed === 'string') {
    if (recorded !== replayed && recorded.length >= 8 && /\d/.test(recorded) && !recorded.includes('<')) {
      into.set(recorded, replayed)
      // A URL the cloud made up (a function URL): later requests go to its host.
      const hosts = [recorded, replayed].map((text) => (URL.canParse(text) ? new URL(text).host : ''))
      if (hosts[0] && hosts[1] && hosts[0] !== hosts[1]) into.set(hosts[0], hosts[1])
    }
    return
  }
  if (Array.isArray(recorded) && Array.isArray(replayed)) {
    for (const [i, item] of recorded.entries()) bind(item, replayed[i], into)
    return
  }
  if (recorded && replayed && typeof recorded === 'object' && typeof replayed === 'object') {
    for (const [key, value] of Object.entries(recorded)) bind(value, (replayed as Record<string, unknown>)[key], into)
  }
}

function describeRequest(request: RecordedRequest): string {
  return `${request.method} ${request.path}`
}

function unhandled(status: string): RecordedResponse {
  return { status: 0, headers: { 'x-fidelity': status }, body: null }
}

/** Replays one transcript against a fresh emulator of its provider. */
export async function replayTranscript(
  transcript: Transcript,
  name: string,
  options: ReplayOptions = {},
): Promise<TranscriptResult> {
  const fidelity = await fidelityOf(transcript.provider)
  if (!fidelity)
    return { name, provider: transcript.provider, error: `no emulator for provider ${transcript.provider}`, exchanges: [] }
  const target = await fidelity.replayTarget(transcript)
  const allowList = options.allowList ?? EMPTY_ALLOW_LIST
  const normalisers: Normaliser[] = [...DEFAULT_NORMALISERS, ...(fidelity.normalisers ?? []), ...allowList.normalisers]
  const boundHeaders = ['etag', 'location', ...(fidelity.responseHeaders ?? [])]
  const pollDelayMs = options.pollDelayMs ?? 50
  const pollTimeoutMs = options.pollTimeoutMs ?? 60_000
  const bindings: Substitutions = new Map()
  const placeholders = new Map(Object.entries(target.placeholders))
  const reverse = new Map([...placeholders].map(([placeholder, value]) => [value, placeholder]))
  const fill = (text: string) => substitute(substitute(text, bindings), placeholders)
  const unfill = (text: string) => substitute(text, reverse)
  const handlers = [...target.handlers] as RequestHandler[]

  const send = async (exchange: Exchange): Promise<RecordedResponse> => {
    const response = await getResponse(handlers, toRequest(exchange.request, fill))
    if (!response) return unhandled('no handler in the emulator')
    if (response.type === 'error') return unhandled('connection reset')
    return toRecorded(response, unfill)
  }
  const differences = (exchange: Exchange, recorded: RecordedResponse, replayed: RecordedResponse) =>
    compareResponses(fidelity, exchange, recorded, replayed, normalisers)

  const rows: ExchangeResult[] = []
  try {
    const { exchanges } = transcript
    for (let i = 0; i < exchanges.length; ) {
      let j = i
      while (exchanges[j + 1]?.poll) j++
      const group = exchanges.slice(i, j + 1)
      const last = group[group.length - 1] as Exchange
      let replayed = await send(last)
      let found: Difference[] = []
      if (last.response) {
        found = differences(last, last.response, replayed)
        // A poll run: keep asking while the emulator gives one of the run's earlier answers. On a
        // manual clock each poll moves it one poll interval, so the run ends after the same number of
        // polls on any machine and the time limit counts emulator time; on the wall clock it is a hang guard.
        let waited = 0
        const deadline = Date.now() + pollTimeoutMs
        const inTime = () => (target.advance ? waited < pollTimeoutMs : Date.now() < deadline)
        while (
          found.length > 0 &&
          group.length > 1 &&
          inTime() &&
          group.some((e) => e.response && differences(e, e.response, replayed).length === 0)
        ) {
          // At least 1 ms a poll: a zero interval on a manual clock would never end a Pending run.
          const step = Math.max(1, pollDelayMs)
          if (target.advance) await target.advance(step)
          else await new Promise((resolve) => setTimeout(resolve, step))
          waited += step
          replayed = await send(last)
          found = differences(last, last.response, replayed)
        }
        bind(
          last.response.body && 'json' in last.response.body ? last.response.body.json : undefined,
          jsonOf(replayed.body),
          bindings,
        )
        for (const header of boundHeaders) {
          bind(last.response.headers[header], replayed.headers[header], bindings)
        }
      }
      const results: DifferenceResult[] = found.map((difference) => {
        const entry = group.map((_, k) => allowedBy(allowList, name, i + k, difference)).find((allowed) => allowed !== undefined)
        return entry ? { ...difference, allowed: entry.reason } : difference
      })
      const outcome = !last.response
        ? 'sent'
        : results.length === 0
          ? 'match'
          : results.every((r) => r.allowed !== undefined)
            ? 'allowed'
            : 'differs'
      rows.push({ index: i, count: group.length, request: describeRequest(last.request), outcome, differences: results })
      i = j + 1
    }
  } finally {
    await target.close()
  }
  return { name, provider: transcript.provider, exchanges: rows }
}

function jsonOf(body: Body): unknown {
  return body && 'json' in body ? body.json : undefined
}

/** Every transcript under `dir` (any depth, `*.json` but the allow-list), sorted by path. */
export async function transcriptFiles(dir: string): Promise<string[]> {
  const files = await glob('**/*.json', { cwd: dir, ignore: [ALLOW_LIST_FILE, '**/node_modules/**'] })
  return files.map((file) => file.split(sep).join('/')).sort()
}

export async function readAllowList(dir: string): Promise<AllowList> {
  let text: string
  try {
    text = await readFile(join(dir, ALLOW_LIST_FILE), 'utf8')
  } catch {
    return EMPTY_ALLOW_LIST
  }
  return parseAllowList(JSON.parse(text), relative(process.cwd(), join(dir, ALLOW_LIST_FILE)) || ALLOW_LIST_FILE)
}

/** Replays every transcript under `dir` against its emulator, with `dir/allow-list.json`. */
export async function replayFolder(
  dir: string,
  options: Omit<ReplayOptions, 'allowList'> & { only?: (name: string) => boolean } = {},
): Promise<FidelityReport> {
  const allowList = await readAllowList(dir)
  const transcripts: TranscriptResult[] = []
  for (const name of await transcriptFiles(dir)) {
    if (options.only && !options.only(name)) continue
    let transcript: Transcript
    try {
      transcript = parseTranscript(JSON.parse(await readFile(join(dir, name), 'utf8')), name)
    } catch (error) {
      transcripts.push({ name, provider: '?', error: (error as Error).message, exchanges: [] })
      continue
    }
    transcripts.push(await replayTranscript(transcript, name, { ...options, allowList }))
  }
  return summarise(transcripts, allowList)
}

export function summarise(transcripts: TranscriptResult[], allowList: AllowList): FidelityReport {
  const used = new Set<string>()
  for (const t of transcripts) for (const e of t.exchanges) for (const d of e.differences) if (d.allowed) used.add(d.allowed)
  const unused = allowList.allowed.filter(
    (entry) => !used.has(entry.reason) && transcripts.some((t) => t.name === entry.transcript),
  )
  const failed = transcripts.some((t) => t.error !== undefined || t.exchanges.some((e) => e.outcome === 'differs'))
  return { transcripts, unused, failed }
}

function cut(text: string, max = 70): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** The report as table rows: transcript, exchange, request, result (one row per difference). */
export function reportRows(report: FidelityReport): string[][] {
  const rows: string[][] = []
  for (const t of report.transcripts) {
    if (t.error) {
      rows.push([t.name, '-', '-', `ERROR ${t.error}`])
      continue
    }
    for (const e of t.exchanges) {
      const where = e.count > 1 ? `${e.index}-${e.index + e.count - 1}` : String(e.index)
      if (e.differences.length === 0) {
        rows.push([t.name, where, cut(e.request, 50), e.outcome === 'sent' ? 'sent (nothing recorded)' : 'match'])
        continue
      }
      for (const d of e.differences) {
        const what = `${d.field}: recorded ${cut(d.recorded, 60)} / emulator ${cut(d.replayed, 60)}`
        rows.push([t.name, where, cut(e.request, 50), d.allowed ? `allowed (${cut(d.allowed, 50)}) ${what}` : `DIFFERS ${what}`])
      }
    }
  }
  return rows
}

export function reportCounts(report: FidelityReport): Record<'match' | 'differs' | 'allowed' | 'sent', number> {
  const counts = { match: 0, differs: 0, allowed: 0, sent: 0 }
  for (const t of report.transcripts) for (const e of t.exchanges) counts[e.outcome] += 1
  return counts
}
