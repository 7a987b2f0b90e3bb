/**
 * What a replayed answer is held to: the status, the error code and message
 * (each cloud puts them elsewhere), and the fields cloudfn reads from
 * successful answers, after normalising both sides (normalise.ts).
 */
import { type Normaliser, normaliseJson, normaliseText } from './normalise.ts'
import type { Body, Exchange, RecordedResponse } from './transcript.ts'

export interface Difference {
  /** `status`, `code`, `message`, `$header.<name>`, `$body`, or a dot path into the JSON body. */
  field: string
  recorded: string
  replayed: string
}

/**
 * Fields of successful answers the providers read (providers/<cloud>/*.ts), compared
 * where the recording holds them. An exchange's own `fields` replace these.
 */
export const DEFAULT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'FunctionName',
    'Runtime',
    'Handler',
    'Timeout',
    'MemorySize',
    'PackageType',
    'State',
    'StateReason',
    'StateReasonCode',
    'LastUpdateStatus',
    'LastUpdateStatusReason',
    'LastUpdateStatusReasonCode',
    'Configuration.FunctionName',
    'Configuration.State',
    'Configuration.StateReason',
    'Configuration.StateReasonCode',
    'Configuration.LastUpdateStatus',
    'Code.RepositoryType',
    'AuthType',
    'FunctionUrl',
    'FunctionError',
    'errorType',
    'errorMessage',
  ],
  gcp: ['done', 'error.code', 'error.status', 'state', 'response.state', 'serviceConfig.uri', 'buildConfig.runtime'],
  azure: ['status', 'properties.provisioningState', 'properties.state', 'kind', 'error.code'],
}

/** Response headers whose value carries meaning a provider acts on; compared where the recording has them. */
const COMPARED_HEADERS = ['x-amz-function-error', 'x-amz-executed-version', 'x-ms-error-code']

function json(body: Body): unknown {
  return body && 'json' in body ? body.json : undefined
}

function text(body: Body): string {
  if (!body) return ''
  if ('text' in body) return body.text
  if ('json' in body) return JSON.stringify(body.json)
  return ''
}

function at(value: unknown, path: string): unknown {
  let current = value
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value
  return undefined
}

/** The error code of an error answer, where each cloud puts it; undefined for a success. */
export function errorCodeOf(provider: string, response: RecordedResponse): string | undefined {
  if (response.status < 400) return undefined
  const body = json(response.body)
  switch (provider) {
    case 'aws': {
      // rest-json: x-amzn-ErrorType ("Code:http://..."); json-1.1: __type ("ns#Code"); query XML: <Code>.
      const header = response.headers['x-amzn-errortype']?.split(':')[0]
      const type = firstString(at(body, '__type'), at(body, 'code'), at(body, 'Code'))?.split('#').pop()
      return header ?? type ?? /<Code>([^<]+)<\/Code>/.exec(text(response.body))?.[1]
    }
    case 'gcp':
      return firstString(at(body, 'error.status'), at(body, '0.error.status'))
    case 'azure':
      return response.headers['x-ms-error-code'] ?? firstString(at(body, 'error.code'), at(body, 'code'))
    default:
      return undefined
  }
}

export function errorMessageOf(provider: string, response: RecordedResponse): string | undefined {
  if (response.status < 400) return undefined
  const body = json(response.body)
  switch (provider) {
    case 'aws':
      return (
        firstString(at(body, 'message'), at(body, 'Message'), at(body, 'errorMessage')) ??
        /<Message>([^<]*)<\/Message>/.exec(text(response.body))?.[1]
      )
    case 'gcp':
      return firstString(at(body, 'error.message'), at(body, '0.error.message'))
    case 'azure':
      return firstString(at(body, 'error.message'), at(body, 'message'), at(body, 'Message'))
    default:
      return undefined
  }
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
  provider: string,
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
  const code = errorCodeOf(provider, recorded)
  if (code !== undefined) same('code', code, errorCodeOf(provider, replayed))
  const message = errorMessageOf(provider, recorded)
  if (message !== undefined) same('message', message, errorMessageOf(provider, replayed))
  for (const name of COMPARED_HEADERS) {
    if (recorded.headers[name] !== undefined) same(`$header.${name}`, recorded.headers[name], replayed.headers[name])
  }
  if (recorded.status >= 400 && exchange.fields === undefined) return out
  const recordedJson = json(recorded.body)
  const replayedJson = json(replayed.body)
  const fields = exchange.fields ?? DEFAULT_FIELDS[provider] ?? []
  for (const field of fields) {
    if (field === '$body') {
      const a = recordedJson === undefined ? normaliseText(text(recorded.body), normalisers) : recordedJson
      const b = replayedJson === undefined ? normaliseText(text(replayed.body), normalisers) : replayedJson
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
