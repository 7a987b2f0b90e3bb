/**
 * What a replayed answer is held to: the status, the error code and message
 * (each cloud puts them elsewhere: its provider says where), and the fields
 * cloudfn reads from successful answers, after normalising both sides (normalise.ts).
 */
import { type Normaliser, normaliseJson, normaliseText } from './normalise.ts'
import type { ProviderFidelity } from './provider.ts'
import type { Body, Exchange, RecordedResponse } from './transcript.ts'

export interface Difference {
  /** `status`, `code`, `message`, `$header.<name>`, `$body`, or a dot path into the JSON body. */
  field: string
  recorded: string
  replayed: string
}

/** Response headers whose value carries meaning a provider acts on; compared where the recording has them. */
const COMPARED_HEADERS = ['x-amz-function-error', 'x-amz-executed-version', 'x-ms-error-code']

/** The JSON of a body, or undefined for another kind. */
export function bodyJson(body: Body): unknown {
  return body && 'json' in body ? body.json : undefined
}

/** A body as text (JSON serialised; empty for none or base64). */
export function bodyText(body: Body): string {
  if (!body) return ''
  if ('text' in body) return body.text
  if ('json' in body) return JSON.stringify(body.json)
  return ''
}

/** The value at a dot path (`error.code`, `0.error.status`), or undefined. */
export function at(value: unknown, path: string): unknown {
  let current = value
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** The first non-empty string of `values`. */
export function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value
  return undefined
}

/** What a provider says about its answers (its `ProviderFidelity`, provider.ts). */
export type CompareRules = Pick<ProviderFidelity, 'fields' | 'errorCode' | 'errorMessage'>

/** An error answer's code or message by the provider's rule; undefined for a success or without a rule. */
function errorOf(response: RecordedResponse, rule: ((response: RecordedResponse) => string | undefined) | undefined) {
  return response.status < 400 ? undefined : rule?.(response)
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * Differences between the recorded answer and the replayed one (both already
 * in placeholder form); empty when they match.
 */
export function compareResponses(
  rules: CompareRules | undefined,
  exchange: Exchange,
  recorded: RecordedResponse,
  replayed: RecordedResponse,
  normalisers: readonly Normaliser[],
): Difference[] {
  const out: Difference[] = []
  const same = (field: string, a: unknown, b: unknown) => {
    const left = show(a === undefined ? a : normaliseJson(a, normalisers))
    const right = show(b === undefined ? b : normaliseJson(b, normalisers))
    if (left !== right) out.push({ field, recorded: left, replayed: right })
  }
  same('status', recorded.status, replayed.status)
  const code = errorOf(recorded, rules?.errorCode)
  if (code !== undefined) same('code', code, errorOf(replayed, rules?.errorCode))
  const message = errorOf(recorded, rules?.errorMessage)
  if (message !== undefined) same('message', message, errorOf(replayed, rules?.errorMessage))
  for (const name of COMPARED_HEADERS) {
    if (recorded.headers[name] !== undefined) same(`$header.${name}`, recorded.headers[name], replayed.headers[name])
  }
  if (recorded.status >= 400 && exchange.fields === undefined) return out
  const recordedJson = bodyJson(recorded.body)
  const replayedJson = bodyJson(replayed.body)
  const fields = exchange.fields ?? rules?.fields ?? []
  for (const field of fields) {
    if (field === '$body') {
      const a = recordedJson === undefined ? normaliseText(bodyText(recorded.body), normalisers) : recordedJson
      const b = replayedJson === undefined ? normaliseText(bodyText(replayed.body), normalisers) : replayedJson
      same('$body', a, b)
      continue
    }
    const value = at(recordedJson, field)
    // Default fields are compared where the recording has them; an exchange's own fields always.
    if (value === undefined && exchange.fields === undefined) continue
    same(field, value, at(replayedJson, field))
  }
  return out
}
