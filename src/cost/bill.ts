import type { BillingRule, CostEstimate, UsageLine } from './types.ts'

export interface BilledExecution {
  billedMs: number
  cost: CostEstimate
  usage: readonly UsageLine[]
}

/** Said with every per-call figure; a snapshot taken with `freeTier: true` says otherwise. */
export const FREE_TIER_LEFT_OUT = 'free tier not subtracted'

/** Per-rule assumption lists, built once: a cost is computed on every invoke. */
const assumptionCache = new WeakMap<BillingRule, { reported: readonly string[]; estimated: readonly string[] }>()

function assumptionsOf(rule: BillingRule, reported: boolean): readonly string[] {
  let cached = assumptionCache.get(rule)
  if (!cached) {
    // A rule without a dated source (NO_CHARGE_RULE) has no prices to cite.
    const prices =
      rule.source.date === '-'
        ? []
        : [`${rule.source.currency} prices for ${rule.source.region} read ${rule.source.date} from ${rule.source.url}`]
    const free = FREE_TIER_LEFT_OUT
    const estimate =
      rule.roundUpToMs === 1 && rule.minimumMs <= 1
        ? 'billed duration estimated: the measured duration rounded up to 1 ms'
        : `billed duration estimated: the measured duration rounded up to ${rule.roundUpToMs} ms, at least ${rule.minimumMs} ms`
    cached = {
      reported: Object.freeze([...prices, 'billed duration reported by the cloud', free, ...rule.assumptions]),
      estimated: Object.freeze([...prices, estimate, free, ...rule.assumptions]),
    }
    assumptionCache.set(rule, cached)
  }
  return reported ? cached.reported : cached.estimated
}

/** The billed duration a rule gives a measured duration. */
export function estimateBilledMs(rule: BillingRule, durationMs: number): number {
  const measured = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0
  const rounded = Math.ceil(measured / rule.roundUpToMs) * rule.roundUpToMs
  return Math.max(rule.minimumMs, rule.roundUpToMs, rounded)
}

/**
 * The one cost function of every backend: a billing rule applied to one
 * execution. `billedMs` is the cloud's own figure where the provider read it
 * (Lambda's REPORT line); otherwise the measured duration is rounded as the
 * rule says. Free tiers are left out: they are monthly, per account.
 */
export function billExecution(
  rule: BillingRule,
  execution: { durationMs: number; billedMs?: number | undefined },
): BilledExecution {
  const reported = execution.billedMs !== undefined && Number.isFinite(execution.billedMs) && execution.billedMs >= 0
  const billedMs = reported ? (execution.billedMs as number) : estimateBilledMs(rule, execution.durationMs)
  const seconds = billedMs / 1000
  const usage: UsageLine[] = []
  let compute = 0
  for (const meter of rule.compute) {
    const units = meter.quantity * seconds
    const usd = units * meter.usdPerUnitSecond
    compute += usd
    usage.push({ meter: meter.meter, kind: 'compute', units, usd })
  }
  const requests = rule.request.usd
  usage.push({ meter: rule.request.meter, kind: 'requests', units: 1, usd: requests })
  return {
    billedMs,
    cost: { usd: compute + requests, breakdown: { compute, requests }, assumptions: assumptionsOf(rule, reported) },
    usage,
  }
}

/** Said with a `fetch()`'s cost: how its duration was found, on every cloud. */
export const FETCH_MEASURED =
  'fetch(): duration timed by the client from sending the request to the response headers, network and cold start included (an upper bound of the handler’s time, whose response is buffered)'

const fetchRules = new WeakMap<BillingRule, BillingRule>()

/**
 * The rule for executions reached by `fetch()`: the function's own rule,
 * its duration always estimated (no cloud says an HTTP request's billed time
 * in its answer) from the client's round trip. Built once per rule, so the
 * assumption lists stay cached.
 */
export function fetchBillingRule(rule: BillingRule): BillingRule {
  let derived = fetchRules.get(rule)
  if (!derived) {
    derived = { ...rule, billedDuration: 'estimated', assumptions: [...rule.assumptions, FETCH_MEASURED] }
    fetchRules.set(rule, derived)
  }
  return derived
}

/**
 * What a provider without a price table (the local fake, third-party
 * providers) bills: nothing. The duration is still estimated the stated way
 * (rounded up to 1 ms), so `billedMs` is there on every backend.
 */
export const NO_CHARGE_RULE: BillingRule = Object.freeze({
  source: { date: '-', region: 'this machine', currency: 'USD', url: 'none: the backend runs here and publishes no prices' },
  billedDuration: 'estimated',
  roundUpToMs: 1,
  minimumMs: 1,
  compute: [],
  request: { meter: 'none:request', usd: 0 },
  freeTier: {},
  assumptions: ['no cloud charge: the backend declares no prices'],
}) as BillingRule
