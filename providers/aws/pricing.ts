import type { BillingRule, PriceTableBase } from '../../src/cost/types.ts'

/**
 * AWS Lambda on-demand prices (first duration tier): duration per GB-second
 * by architecture, billed per 1 ms of the duration Lambda reports, plus a
 * charge per request. Memory in GB is the configured MB / 1024 (the pricing
 * page's examples: 1536 MB is 1.5 GB).
 *
 * Source: https://aws.amazon.com/lambda/pricing/ ("Duration is calculated
 * from the time your code begins executing until it returns or otherwise
 * terminates, rounded up to the nearest 1 ms"; US East (N. Virginia) x86
 * $0.0000166667 and Arm $0.0000133334 per GB-second, $0.20 per 1M requests;
 * free tier 1M requests and 400,000 GB-seconds a month, both architectures together).
 */
export interface AwsLambdaPrices extends PriceTableBase {
  usdPerGbSecond: { x86_64: number; arm64: number }
  usdPerRequest: number
  freeTier: { requests: number; gbSeconds: number }
}

export const AWS_LAMBDA_PRICES: AwsLambdaPrices = {
  source: { date: '2026-12-07', region: 'us-east-1', currency: 'USD', url: 'https://aws.amazon.com/lambda/pricing/' },
  usdPerGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  usdPerRequest: 0.2 / 1_000_000,
  freeTier: { requests: 1_000_000, gbSeconds: 400_000 },
}

export type LambdaArchitecture = 'x86_64' | 'arm64'

/** The rule for one function: its memory and architecture, priced by `prices`. */
export function lambdaBillingRule(
  prices: AwsLambdaPrices,
  fn: { memoryMb: number; architecture: LambdaArchitecture | undefined },
  billedDuration: 'reported' | 'estimated' = 'reported',
): BillingRule {
  const architecture = fn.architecture ?? 'x86_64'
  return {
    source: prices.source,
    billedDuration,
    roundUpToMs: 1,
    minimumMs: 1,
    compute: [
      { meter: 'aws-lambda:gb-second', quantity: fn.memoryMb / 1024, usdPerUnitSecond: prices.usdPerGbSecond[architecture] },
    ],
    request: { meter: 'aws-lambda:request', usd: prices.usdPerRequest },
    freeTier: { 'aws-lambda:gb-second': prices.freeTier.gbSeconds, 'aws-lambda:request': prices.freeTier.requests },
    assumptions: [
      `${fn.memoryMb} MB, ${architecture}${fn.architecture === undefined ? ' (architecture not known to this process: priced as x86_64)' : ''}`,
      'on-demand first-tier duration price; ephemeral storage over 512 MB, provisioned concurrency and data transfer not counted',
    ],
  }
}
