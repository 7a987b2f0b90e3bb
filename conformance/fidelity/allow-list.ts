/**
 * The allow-list file: known differences between a cloud and its emulator,
 * each with its reason, and extra normalisers. `cloudfn fidelity <dir>` reads
 * `<dir>/allow-list.json` when it exists.
 *
 * ```json
 * {
 *   "normalisers": [{ "name": "build-id", "pattern": "build-[0-9a-f]+", "flags": "g", "replacement": "<build-id>" }],
 *   "allowed": [{ "transcript": "aws/x.json", "exchange": 3, "field": "message", "reason": "why, and what the cloud does" }]
 * }
 * ```
 * `transcript` is the file's path relative to the folder (forward slashes);
 * without `exchange` an entry covers every exchange, without `field` every field.
 */
import type { Difference } from './compare.ts'
import type { Normaliser } from './normalise.ts'

export interface AllowedDifference {
  transcript: string
  exchange?: number
  field?: string
  reason: string
}

export interface AllowList {
  normalisers: Normaliser[]
  allowed: AllowedDifference[]
}

export const EMPTY_ALLOW_LIST: AllowList = { normalisers: [], allowed: [] }

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Checks the parsed file; an entry without a reason is refused (a difference is only allowed for a reason). */
export function parseAllowList(value: unknown, file = 'allow-list.json'): AllowList {
  if (!isObject(value)) throw new Error(`${file}: expected a JSON object`)
  const normalisers = (value.normalisers ?? []) as unknown
  const allowed = (value.allowed ?? []) as unknown
  if (!Array.isArray(normalisers) || !Array.isArray(allowed)) throw new Error(`${file}: normalisers and allowed are arrays`)
  return {
    normalisers: normalisers.map((entry, i) => {
      const where = `${file}: normalisers[${i}]`
      if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.pattern !== 'string') {
        throw new Error(`${where}: needs a name and a pattern`)
      }
      const flags = typeof entry.flags === 'string' ? entry.flags : 'g'
      return {
        name: entry.name,
        pattern: new RegExp(entry.pattern, flags.includes('g') ? flags : `${flags}g`),
        replacement: typeof entry.replacement === 'string' ? entry.replacement : `<${entry.name}>`,
      }
    }),
    allowed: allowed.map((entry, i) => {
      const where = `${file}: allowed[${i}]`
      if (!isObject(entry) || typeof entry.transcript !== 'string') throw new Error(`${where}: needs a transcript`)
      if (typeof entry.reason !== 'string' || entry.reason.trim().length < 10) {
        throw new Error(`${where}: needs a reason (what differs, why, what the cloud does)`)
      }
      const out: AllowedDifference = { transcript: entry.transcript, reason: entry.reason }
      if (entry.exchange !== undefined) {
        if (typeof entry.exchange !== 'number') throw new Error(`${where}: exchange is an index`)
        out.exchange = entry.exchange
      }
      if (entry.field !== undefined) {
        if (typeof entry.field !== 'string') throw new Error(`${where}: field is a string`)
        out.field = entry.field
      }
      return out
    }),
  }
}

/** The entry that allows this difference, if any. */
export function allowedBy(
  list: AllowList,
  transcript: string,
  exchange: number,
  difference: Difference,
): AllowedDifference | undefined {
  return list.allowed.find(
    (entry) =>
      entry.transcript === transcript &&
      (entry.exchange === undefined || entry.exchange === exchange) &&
      (entry.field === undefined || entry.field === difference.field),
  )
}
