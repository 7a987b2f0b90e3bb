import type { BillingRule, PriceTableBase } from '../../src/cost/types.ts'

/**
 * Azure Functions Flex Consumption, on-demand: GB-seconds of the instance's
 * memory (2048 or 4096 MB, not the memory a function asked for) while it
 * executes, plus a charge per execution; always-ready instances are billed
 * differently and are not modelled here.
 *
 * Each figure, with the page it was read from (stored copies, read 2026-12-07;
 * the pricing page itself renders its prices client-side, so none could be
 * read there verbatim):
 * - $0.000026 per GB-s and $0.40 per million executions: CONFIRMED as the
 *   on-demand rates of the worked example in "Estimating consumption-based
 *   costs", https://learn.microsoft.com/azure/azure-functions/functions-consumption-costs
 *   (Flex Consumption tab: "Assuming an on-demand execution rate of
 *   $0.000026 GB-s ... an on-demand rate of $0.40 per million executions");
 *   that page also defines the meter: "the total amount of memory provisioned
 *   while each on demand instance is actively executing functions".
 * - 1,000 ms minimum, then rounded up to 100 ms: CONFIRMED by
 *   https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan
 *   ("Billing": "The minimum billable execution period for both execution
 *   modes is 1,000 ms. Past that, the billable activity period is rounded up
 *   to the nearest 100 ms."). Until 2026-12-07 this table rounded to 1 ms.
 * - free grant of 100,000 GB-s and 250,000 executions a month: UNCONFIRMED.
 *   The Microsoft pages read say only "minus a free grant of GB-s per month"
 *   and send the reader to https://azure.microsoft.com/pricing/details/functions/,
 *   whose stored copy shows no Flex figures; the numbers come from a
 *   third-party guide (https://modal.com/blog/azure-function-pricing-guide).
 *   Searched again 2026-12-07 ("Flex Consumption free grant GB-s
 *   executions"): Microsoft's include (functions-flex-consumption-billing-table.md)
 *   still names no amounts, the pricing page renders them client-side; only
 *   third-party copies of its Flex table state 100,000 GB-s and 250,000
 *   executions ("a monthly free grant of 250,000 executions and 100,000 GB-s
 *   of resource consumption per month per subscription in pay-as-you-go
 *   on-demand pricing"), none of them Microsoft's.
 */
export interface AzureFlexPrices extends PriceTableBase {
  usdPerGbSecond: number
  usdPerExecution: number
  /** The shortest execution time billed. */
  minimumMs: number
  /** Past the minimum, the billed time is rounded up to this many ms. */
  roundUpToMs: number
  freeTier: { gbSeconds: number; executions: number }
}

export const AZURE_FLEX_PRICES: AzureFlexPrices = {
  source: {
    date: '2026-12-07',
    region: 'eastus',
    currency: 'USD',
    url: 'https://azure.microsoft.com/pricing/details/functions/',
  },
  usdPerGbSecond: 0.000026,
  usdPerExecution: 0.4 / 1_000_000,
  minimumMs: 1000,
  roundUpToMs: 100,
  freeTier: { gbSeconds: 100_000, executions: 250_000 },
}

export function flexBillingRule(prices: AzureFlexPrices, fn: { instanceMemoryMb: number }): BillingRule {
  return {
    source: prices.source,
    billedDuration: 'estimated',
    roundUpToMs: prices.roundUpToMs,
    minimumMs: prices.minimumMs,
    compute: [{ meter: 'azure-flex:gb-second', quantity: fn.instanceMemoryMb / 1024, usdPerUnitSecond: prices.usdPerGbSecond }],
    request: { meter: 'azure-flex:execution', usd: prices.usdPerExecution },
    freeTier: { 'azure-flex:gb-second': prices.freeTier.gbSeconds, 'azure-flex:execution': prices.freeTier.executions },
    assumptions: [
      `on-demand instance of ${fn.instanceMemoryMb} MB`,
      'the execution alone on its instance: concurrent executions share the instance’s billed time, so this is an upper bound',
    ],
  }
}
