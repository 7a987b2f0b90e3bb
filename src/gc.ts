/**
 * The common part of every provider's `doGc`: each provider lists what it
 * tagged as candidates, this decides by age and use and removes in order.
 */
import type { CallOptions, FunctionRecord, GcOptions, GcResult, ProviderV1 } from './provider.ts'

/**
 * What a candidate's `remove()` resolves to when it left the resource as it
 * is after all (something uses it again since gc looked, or the cloud refused
 * the removal): the result lists it as kept. Anything else it resolves to
 * (nothing, the cloud's answer) counts as removed.
 */
export const KEPT: unique symbol = Symbol('cloudfn.gc.kept')

export interface GcCandidate {
  /** `kind:name`, as reported in the result. */
  resource: string
  /**
   * ISO time of the last change. Undefined when the cloud does not say: such a
   * resource is only collected with `olderThanMs: 0`, never guessed to be old.
   */
  changedAt: string | undefined
  /** False when something still uses it (a shared role, a plan with its app). */
  unused: boolean
  /** Removes it; resolves to `KEPT` when it left it as it is (see KEPT). */
  remove(): Promise<unknown>
}

export function isOlderThan(changedAt: string | undefined, olderThanMs: number, now = Date.now()): boolean {
  if (olderThanMs === 0) return true
  if (changedAt === undefined) return false
  const time = Date.parse(changedAt)
  return !Number.isNaN(time) && time <= now - olderThanMs
}

/** Which candidates go: unused and old enough. */
export function selectCollectable(candidates: readonly GcCandidate[], options: GcOptions): GcCandidate[] {
  const now = Date.now()
  return candidates.filter((candidate) => candidate.unused && isOlderThan(candidate.changedAt, options.olderThanMs, now))
}

/**
 * Removes the collectable candidates one by one, in the order given
 * (functions before the resources they used), unless `dryRun`. One whose
 * removal left it as it is (`remove()` resolved to `KEPT`) is reported kept.
 */
export async function collect(candidates: readonly GcCandidate[], options: GcOptions): Promise<GcResult> {
  const chosen = new Set(selectCollectable(candidates, options))
  const result: GcResult = { removed: [], kept: [] }
  for (const candidate of candidates) {
    const removed = chosen.has(candidate) && (options.dryRun || (await candidate.remove()) !== KEPT)
    ;(removed ? result.removed : result.kept).push(candidate.resource)
  }
  return result
}

/** A deployed function as a candidate: its age is its last update, and removing it is the provider's own remove. */
export function functionCandidate(record: FunctionRecord, remove: (name: string) => Promise<unknown>): GcCandidate {
  return { resource: `function:${record.name}`, changedAt: record.updatedAt, unused: true, remove: () => remove(record.name) }
}

/** gc for a provider whose functions leave nothing else behind (the local fake, the mock). */
export async function collectFunctions(
  provider: Pick<ProviderV1, 'doList' | 'doRemove'>,
  options: GcOptions,
  callOptions: CallOptions,
): Promise<GcResult> {
  const records = await provider.doList(callOptions)
  return collect(
    records.map((record) => functionCandidate(record, (name) => provider.doRemove(name, callOptions))),
    options,
  )
}
