import type { BillingRule, PriceTableBase } from '../../src/cost/types.ts'

/**
 * Cloud Functions 2nd gen (Cloud Run functions) bills as a Cloud Run service
 * with request-based billing (CPU only allocated during requests):
 * vCPU-seconds and GiB-seconds of the instance while it serves the request,
 * "rounded up to the nearest 100 millisecond", plus a charge per request.
 *
 * Each figure, with the page it was read from (stored copies of
 * https://cloud.google.com/run/pricing, read 2026-12-07, "Pricing for
 * services with CPU only allocated during request processing", Tier 1):
 * - rounded up to the nearest 100 ms: CONFIRMED (the page's first sentence).
 * - free each month, 180,000 vCPU-seconds, 360,000 GiB-seconds, 2 million
 *   requests: CONFIRMED.
 * - $0.000024 per vCPU-second: CONFIRMED ("$0.00002400 / vCPU-second beyond
 *   free tier").
 * - $0.0000025 per GiB-second and $0.40 per million requests: UNCONFIRMED.
 *   The stored copies of Google's page break off before those cells; the
 *   figures agree with third-party summaries of that page only. Searched
 *   again 2026-12-07 (stored docs and pages: "Cloud Run pricing GiB-second",
 *   "$0.00000250 / GiB-second", Cloud Functions 2nd gen and Firebase
 *   pricing): no Google page gives them. The nearest Google figure is 1st
 *   gen's "$0.0000004 per invocation" (https://cloud.google.com/functions/pricing
 *   as archived in 2021), another product; many third-party copies of the Cloud Run table agree
 *   on $0.00000250 / GiB-second and $0.40 / million requests.
 * - the vCPU a function gets for its memory (cloudfn sets no `--cpu`):
 *   CONFIRMED by https://cloud.google.com/functions/docs/configuring/memory
 *   (128 MiB .083 vCPU ... 32 GiB 8 vCPU).
 * No worked example of a Cloud Run (or 2nd gen function) bill was found on
 * Google's stored pages: https://cloud.google.com/functions/pricing sends 2nd
 * gen to the Cloud Run page, and its examples price 1st gen (GHz-seconds).
 */
export interface GcpCloudRunPrices extends PriceTableBase {
  usdPerVcpuSecond: number
  usdPerGibSecond: number
  usdPerRequest: number
  roundUpToMs: number
  freeTier: { vcpuSeconds: number; gibSeconds: number; requests: number }
}

export const GCP_CLOUD_RUN_PRICES: GcpCloudRunPrices = {
  source: {
    date: '2026-12-07',
    region: 'Tier 1 regions (e.g. us-central1, europe-west1)',
    currency: 'USD',
    url: 'https://cloud.google.com/run/pricing',
  },
  usdPerVcpuSecond: 0.000024,
  usdPerGibSecond: 0.0000025,
  usdPerRequest: 0.4 / 1_000_000,
  roundUpToMs: 100,
  freeTier: { vcpuSeconds: 180_000, gibSeconds: 360_000, requests: 2_000_000 },
}

/** Default vCPU by memory (MiB), from the Cloud Run functions memory table; the first size at or above the memory applies. */
const DEFAULT_VCPU: ReadonlyArray<readonly [number, number]> = [
  [128, 0.083],
  [256, 0.167],
  [512, 0.333],
  [1024, 0.583],
  [2048, 1],
  [4096, 2],
  [8192, 2],
  [16384, 4],
  [32768, 8],
]

export function defaultVcpu(memoryMb: number): number {
  return (DEFAULT_VCPU.find(([size]) => size >= memoryMb) ?? [0, 8])[1]
}

/** `vcpu` when the function was given one (cloudfn deploys with the default for the memory). */
export function cloudRunBillingRule(prices: GcpCloudRunPrices, fn: { memoryMb: number; vcpu?: number }): BillingRule {
  const vcpu = fn.vcpu ?? defaultVcpu(fn.memoryMb)
  return {
    source: prices.source,
    billedDuration: 'estimated',
    roundUpToMs: prices.roundUpToMs,
    minimumMs: prices.roundUpToMs,
    compute: [
      { meter: 'cloud-run:vcpu-second', quantity: vcpu, usdPerUnitSecond: prices.usdPerVcpuSecond },
      { meter: 'cloud-run:gib-second', quantity: fn.memoryMb / 1024, usdPerUnitSecond: prices.usdPerGibSecond },
    ],
    request: { meter: 'cloud-run:request', usd: prices.usdPerRequest },
    freeTier: {
      'cloud-run:vcpu-second': prices.freeTier.vcpuSeconds,
      'cloud-run:gib-second': prices.freeTier.gibSeconds,
      'cloud-run:request': prices.freeTier.requests,
    },
    assumptions: [
      `${fn.memoryMb} MiB with ${vcpu} vCPU${fn.vcpu === undefined ? ' (the default for that memory)' : ''}, request-based billing`,
      'the duration is the handler’s, measured in the function; Cloud Run bills the whole request, so a little more; concurrent requests on one instance share its billed time',
    ],
  }
}
