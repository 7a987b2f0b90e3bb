import type { BillingRule, PriceTableBase } from '../../src/cost/types.ts'

/**
 * Azure Functions Flex Consumption, on-demand: GB-seconds of the instance's
 * memory (2048 or 4096 MB, not the memory a function asked for) while it
 * executes, plus a charge per execution; always-ready instances are billed
 * differently and are not modelled here.
 *
 * Sources: https://azure.microsoft.com/pricing/details/functions/ (Flex
 * Consumption, East US: on-demand execution time $0.000026 per GB-s, $0.40
 * per million executions; free grant 100,000 GB-s and 250,000 executions a
 * month); the 1,000 ms minimum per execution is the one discussed in
 * https://learn.microsoft.com/en-us/answers/a/12389275 (overridable as
 * `minimumMs`: the pricing page renders its figures client-side, so they
 * could not be read verbatim here); and
 * https://learn.microsoft.com/azure/azure-functions/functions-consumption-costs
 * (on demand: "the total amount of memory provisioned while each on demand
 * instance is actively executing functions (in GB-seconds)").
 */
export interface AzureFlexPrices extends PriceTableBase {
  usdPerGbSecond: number
  usdPerExecution: number
  /** The shortest execution time billed. */
  minimumMs: number
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
  freeTier: { gbSeconds: 100_000, executions: 250_000 },
}

export function flexBillingRule(prices: AzureFlexPrices, fn: { instanceMemoryMb: number }): BillingRule {
  return {
    source: prices.source,
    billedDuration: 'estimated',
    roundUpToMs: 1,
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
