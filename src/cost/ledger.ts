import { type BilledExecution, FREE_TIER_LEFT_OUT } from './bill.ts'
import type { CostSnapshot, UnpricedPath } from './types.ts'

/** Said in a snapshot's assumptions whenever some executions went unpriced. */
export const UNPRICED_NOTE =
  'executions started by invokeAsync(), send() or publish(), and fetch() calls that got no response, are counted in `unpriced`, not priced: the client never sees their duration'

export interface SnapshotOptions {
  /**
   * Subtract the monthly free tiers, as if what was counted were all of this
   * month's use on the account (default false: per-call figures never include them).
   */
  freeTier?: boolean
}

interface MeterTotal {
  kind: 'compute' | 'requests'
  units: number
  usd: number
  /** The meter's monthly free allowance. */
  free: number
}

/**
 * A running total of executions: `map()` progress and `fn.costSnapshot()`
 * read it. Usage is kept by meter so the free tier can be subtracted on request.
 */
export class CostLedger {
  #invocations = 0
  #billedMs = 0
  readonly #meters = new Map<string, MeterTotal>()
  readonly #assumptions = new Set<string>()
  /** The assumption lists already taken in: one per rule and way of billing, so each is read once (an add is on every invoke). */
  readonly #lists = new Set<readonly string[]>()
  readonly #unpriced: Record<UnpricedPath, number> = { invokeAsync: 0, send: 0, publish: 0, fetch: 0 }

  /** One execution started through `path`, whose cost the client cannot know. */
  countUnpriced(path: UnpricedPath): void {
    this.#unpriced[path]++
  }

  add(billed: BilledExecution, freeTier: Readonly<Record<string, number>>): void {
    this.#invocations++
    this.#billedMs += billed.billedMs
    for (const line of billed.usage) {
      const total = this.#meters.get(line.meter)
      if (total) {
        total.units += line.units
        total.usd += line.usd
      } else {
        this.#meters.set(line.meter, { kind: line.kind, units: line.units, usd: line.usd, free: freeTier[line.meter] ?? 0 })
      }
    }
    const list = billed.cost.assumptions
    if (!this.#lists.has(list)) {
      this.#lists.add(list)
      for (const assumption of list) this.#assumptions.add(assumption)
    }
  }

  snapshot(options: SnapshotOptions = {}): CostSnapshot {
    const applyFree = options.freeTier === true
    let compute = 0
    let requests = 0
    for (const total of this.#meters.values()) {
      // The free allowance is taken off pro rata when a meter was used at several rates (x86 and arm GB-seconds).
      const billable = applyFree && total.units > 0 ? Math.max(0, total.units - total.free) / total.units : 1
      const usd = total.usd * billable
      if (total.kind === 'compute') compute += usd
      else requests += usd
    }
    const assumptions = [...this.#assumptions].map((text) =>
      applyFree && text === FREE_TIER_LEFT_OUT ? 'monthly free tier subtracted, as if this were all of the month’s use' : text,
    )
    const unpriced = { ...this.#unpriced }
    if (Object.values(unpriced).some((count) => count > 0)) assumptions.push(UNPRICED_NOTE)
    return {
      usd: compute + requests,
      breakdown: { compute, requests },
      assumptions,
      invocations: this.#invocations,
      billedMs: this.#billedMs,
      freeTierApplied: applyFree,
      // Only meters that have an allowance: a backend without prices states none.
      freeAllowances: Object.fromEntries(
        [...this.#meters].filter(([, total]) => total.free > 0).map(([meter, total]) => [meter, total.free]),
      ),
      unpriced,
    }
  }
}
