/**
 * The transcript format: one JSON file per scenario run, the HTTP exchanges the
 * official SDKs and cloudfn made, in order, scrubbed (see scrub.ts). Written by
 * the recorder (recorder.ts) or converted from other recordings
 * (fidelity/aws/convert-localstack.ts), read by the replayer (replay.ts).
 * docs/FIDELITY.md, "Record and replay", documents it for users.
 *
 * ```json
 * {
 *   "format": "cloudfn-transcript/1",
 *   "provider": "aws",
 *   "scenario": "lifecycle",
 *   "source": { "kind": "recorded", "at": "2026-12-07T06:00:00.000Z", "note": "cloudfn conformance --record" },
 *   "exchanges": [
 *     { "request": { "method": "GET", "host": "lambda.us-east-1.amazonaws.com",
 *                    "path": "/2015-03-31/functions/f", "query": [], "headers": {}, "body": null },
 *       "response": { "status": 404, "headers": { "x-amzn-errortype": "ResourceNotFoundException" },
 *                     "body": { "json": { "Type": "User", "Message": "Function not found: ..." } } } }
 *   ]
 * }
 * ```
 */

export const TRANSCRIPT_FORMAT = 'cloudfn-transcript/1'

/** A body as recorded: JSON when it parsed as JSON, else text when it was UTF-8, else base64. */
export type Body = { json: unknown } | { text: string } | { base64: string } | null

export interface RecordedRequest {
  method: string
  /** Host name (and port when not the default), e.g. `lambda.us-east-1.amazonaws.com`. */
  host: string
  /** The path as sent (percent-encoded). */
  path: string
  /** Query parameters in order, as name/value pairs (values decoded, scrubbed). */
  query: [string, string][]
  /** The selected request headers (lower-case names), scrubbed. */
  headers: Record<string, string>
  body: Body
}

export interface RecordedResponse {
  status: number
  /** The selected response headers (lower-case names), scrubbed. */
  headers: Record<string, string>
  body: Body
}

export interface Exchange {
  request: RecordedRequest
  /**
   * What the cloud answered. Absent when the source did not keep it (a converted
   * recording's setup calls): the replayer sends the request and compares nothing.
   */
  response?: RecordedResponse
  /**
   * A poll: the same request as the exchange before it. The replayer repeats a
   * run of polls until the emulator gives the run's last answer (a cloud and an
   * emulator take different times to leave `Pending`).
   */
  poll?: boolean
  /**
   * Dot paths into the JSON response body to compare (e.g. `Configuration.State`).
   * Absent: the provider's default fields (compare.ts) that the recording holds.
   */
  fields?: string[]
  /** Why this exchange is here (converted transcripts name the recording it came from). */
  note?: string
}

export interface TranscriptSource {
  /** `recorded`: by the recorder from a real run; `converted`: from another project's recordings. */
  kind: 'recorded' | 'converted'
  /** When the run happened (ISO 8601), or what the source says about it. */
  at?: string
  /** Where it came from: a repository, a path and commit, a licence. */
  origin?: string
  note?: string
}

export interface Transcript {
  format: typeof TRANSCRIPT_FORMAT
  /** The provider whose emulator replays it: `aws`, `gcp`, `azure`. */
  provider: string
  /** The scenario id (conformance/scenarios) or a name for a converted test. */
  scenario: string
  source: TranscriptSource
  exchanges: Exchange[]
}

/** A transcript that does not follow the format; the message names the file's path to the bad value. */
export class TranscriptError extends Error {
  override name = 'TranscriptError'
}

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(where: string, what: string): never {
  throw new TranscriptError(`${where}: ${what}`)
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, `expected a string, got ${JSON.stringify(value)}`)
  return value
}

function optionalStr(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : str(value, where)
}

function headers(value: unknown, where: string): Record<string, string> {
  if (!isObject(value)) fail(where, 'expected an object of header names to strings')
  const out: Record<string, string> = {}
  for (const [name, v] of Object.entries(value)) {
    if (name !== name.toLowerCase()) fail(`${where}.${name}`, 'header names are lower-case')
    out[name] = str(v, `${where}.${name}`)
  }
  return out
}

function body(value: unknown, where: string): Body {
  if (value === null || value === undefined) return null
  if (!isObject(value)) fail(where, 'expected null, {json}, {text} or {base64}')
  const keys = Object.keys(value)
  if (keys.length !== 1) fail(where, `expected exactly one of json, text, base64; got ${keys.join(', ') || 'none'}`)
  if ('json' in value) return { json: value.json }
  if ('text' in value) return { text: str(value.text, `${where}.text`) }
  if ('base64' in value) {
    const b64 = str(value.base64, `${where}.base64`)
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) fail(`${where}.base64`, 'not base64')
    return { base64: b64 }
  }
  return fail(where, `unknown body kind ${keys[0]}`)
}

function request(value: unknown, where: string): RecordedRequest {
  if (!isObject(value)) fail(where, 'expected an object')
  const method = str(value.method, `${where}.method`)
  if (!/^[A-Z]+$/.test(method)) fail(`${where}.method`, `not an HTTP method: ${method}`)
  const path = str(value.path, `${where}.path`)
  if (!path.startsWith('/')) fail(`${where}.path`, 'must start with /')
  const query = value.query ?? []
  if (!Array.isArray(query)) fail(`${where}.query`, 'expected [name, value] pairs')
  return {
    method,
    host: str(value.host, `${where}.host`),
    path,
    query: query.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail(`${where}.query[${i}]`, 'expected [name, value]')
      return [str(pair[0], `${where}.query[${i}][0]`), str(pair[1], `${where}.query[${i}][1]`)]
    }),
    headers: headers(value.headers ?? {}, `${where}.headers`),
    body: body(value.body, `${where}.body`),
  }
}

function response(value: unknown, where: string): RecordedResponse {
  if (!isObject(value)) fail(where, 'expected an object')
  const status = value.status
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    fail(`${where}.status`, `expected an HTTP status, got ${JSON.stringify(status)}`)
  }
  return { status, headers: headers(value.headers ?? {}, `${where}.headers`), body: body(value.body, `${where}.body`) }
}

function exchange(value: unknown, where: string): Exchange {
  if (!isObject(value)) fail(where, 'expected an object')
  const out: Exchange = { request: request(value.request, `${where}.request`) }
  if (value.response !== undefined) out.response = response(value.response, `${where}.response`)
  if (value.poll !== undefined) {
    if (typeof value.poll !== 'boolean') fail(`${where}.poll`, 'expected a boolean')
    if (value.poll) out.poll = true
  }
  if (value.fields !== undefined) {
    if (!Array.isArray(value.fields)) fail(`${where}.fields`, 'expected an array of dot paths')
    out.fields = value.fields.map((field, i) => str(field, `${where}.fields[${i}]`))
  }
  const note = optionalStr(value.note, `${where}.note`)
  if (note !== undefined) out.note = note
  return out
}

/** Checks a parsed JSON value against the format and returns it typed; throws TranscriptError naming the bad path. */
export function parseTranscript(value: unknown, file = 'transcript'): Transcript {
  if (!isObject(value)) fail(file, 'expected a JSON object')
  if (value.format !== TRANSCRIPT_FORMAT)
    fail(`${file}.format`, `expected "${TRANSCRIPT_FORMAT}", got ${JSON.stringify(value.format)}`)
  const source = value.source
  if (!isObject(source)) fail(`${file}.source`, 'expected an object')
  if (source.kind !== 'recorded' && source.kind !== 'converted') fail(`${file}.source.kind`, 'expected "recorded" or "converted"')
  const exchanges = value.exchanges
  if (!Array.isArray(exchanges)) fail(`${file}.exchanges`, 'expected an array')
  const parsed = exchanges.map((item, i) => exchange(item, `${file}.exchanges[${i}]`))
  parsed.forEach((item, i) => {
    if (item.poll && (i === 0 || requestKey(parsed[i - 1]?.request) !== requestKey(item.request))) {
      fail(`${file}.exchanges[${i}].poll`, 'a poll repeats the request of the exchange before it')
    }
  })
  const out: Transcript = {
    format: TRANSCRIPT_FORMAT,
    provider: str(value.provider, `${file}.provider`),
    scenario: str(value.scenario, `${file}.scenario`),
    source: { kind: source.kind },
    exchanges: parsed,
  }
  for (const key of ['at', 'origin', 'note'] as const) {
    const v = optionalStr(source[key], `${file}.source.${key}`)
    if (v !== undefined) out.source[key] = v
  }
  return out
}

/** What makes two requests the same request (a poll): everything but the headers, which carry dates and signatures. */
export function requestKey(request: RecordedRequest | undefined): string {
  if (!request) return ''
  return JSON.stringify([request.method, request.host, request.path, request.query, request.body])
}

/** The transcript as written to disk: stable key order, two-space indent, a final newline. */
export function serializeTranscript(transcript: Transcript): string {
  return `${JSON.stringify(transcript, null, 2)}\n`
}
