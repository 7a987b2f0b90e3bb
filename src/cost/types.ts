/**
 * Cost as data: a price table says what a cloud charges, where the figures
 * come from and when they were read; a billing rule is that table applied to
 * one deployed function (its memory, CPU, architecture). One function
 * (`billExecution`, bill.ts) turns a rule and an execution into a cost, for
 * every backend.
 */

/** Where a price table's figures come from. */
export interface PriceSource {
  /** The day the figures were read from `url` (YYYY-MM-DD). */
  date: string
  /** The region the figures are for (prices differ between regions). */
  region: string
  currency: 'USD'
  url: string
}

/** Fields every provider's price table has, besides its own rates. */
export interface PriceTableBase {
  source: PriceSource
}

/**
 * One metered resource of an execution: `quantity` units for each billed
 * second (GB of memory, vCPUs), at `usdPerUnitSecond`.
 */
export interface ComputeMeter {
  /** Names the meter and its free-tier pool, e.g. `aws-lambda:gb-second`. */
  meter: string
  quantity: number
  usdPerUnitSecond: number
}

/** How a cloud bills one execution of one function. */
export interface BillingRule {
  source: PriceSource
  /** Whether the provider reads the billed duration from the cloud, or estimates it from the measured one. */
  billedDuration: 'reported' | 'estimated'
  /** Billed durations are rounded up to a multiple of this (Lambda 1 ms, Cloud Run 100 ms). */
  roundUpToMs: number
  /** The shortest billed duration. */
  minimumMs: number
  compute: readonly ComputeMeter[]
  /** The charge for each request (execution), and its meter. */
  request: { meter: string; usd: number }
  /** Monthly free allowances by meter: unit-seconds of a compute meter, or requests. Left out of per-call figures. */
  freeTier: Readonly<Record<string, number>>
  /** What the figures assume, said with every cost. */
  assumptions: readonly string[]
}

/** The cost of one execution, or of several. */
export interface CostEstimate {
  usd: number
  breakdown: {
    /** Duration charges (GB-seconds, vCPU-seconds). */
    compute: number
    /** Per-request (per-execution) charges. */
    requests: number
  }
  /** The prices used, how the billed duration was found, what is left out. */
  assumptions: readonly string[]
}

/** What one execution used, by meter: what a running total adds up. */
export interface UsageLine {
  meter: string
  kind: 'compute' | 'requests'
  /** Unit-seconds of a compute meter, or requests. */
  units: number
  usd: number
}

/**
 * The ways of starting an execution whose billed time the client cannot know
 * when it returns: the function runs later (`invokeAsync`, `send`, `publish`),
 * or a `fetch` failed without a response (the function may have run).
 */
export type UnpricedPath = 'invokeAsync' | 'send' | 'publish' | 'fetch'

/** A running total: what the executions counted so far cost. */
export interface CostSnapshot extends CostEstimate {
  /** Executions priced: `invoke`, `invokeDetailed`, `map` and `fetch` (which is always estimated). */
  invocations: number
  /** Their billed durations, summed. */
  billedMs: number
  /** Whether the monthly free tiers were subtracted (as if this were all of the month's use). */
  freeTierApplied: boolean
  /**
   * The monthly free allowance of each meter counted that has one
   * (unit-seconds, or requests), per account: subtracted only with
   * `{ freeTier: true }`. Empty on a backend without prices.
   */
  freeAllowances: Record<string, number>
  /**
   * Executions started but in no figure above, by path: each cloud reports
   * their duration only in its logs or bills, if at all. `usd` undercounts by
   * what these cost; 0 each when every execution was priced. `publish`
   * counts messages published (`handle.publish`, and on the cloud also
   * `cloud.topic(name).publish`): each runs every subscriber of the topic.
   */
  unpriced: Record<UnpricedPath, number>
}
