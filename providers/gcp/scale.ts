import type { ScaleSettings } from '../../src/scale.ts'
import { fail, integerOr } from '../../src/validation.ts'

/**
 * 2nd-gen functions run as Cloud Run services: `maxInstances` is
 * `serviceConfig.maxInstanceCount` (default 100; "the maximum number of
 * instances available for your service" is bound by the regional quota,
 * whose baseline allows 1000 at 1 vCPU / 2 GiB,
 * https://cloud.google.com/run/docs/configuring/max-instances-limits), and
 * `minInstances` is `serviceConfig.minInstanceCount` (warm instances, billed
 * while idle). cloudfn deploys `maxInstanceRequestConcurrency: 1`, so the
 * ceiling counts executions as on the other clouds. A request that finds no
 * instance free waits up to 60 s for one, then fails with 429
 * (https://cloud.google.com/run/docs/about-instance-autoscaling, "Exceeding
 * maximum instances").
 */
export const GCP_SCALE = { maxInstances: { min: 1, max: 1000 }, minInstances: { min: 0, max: 1000 } } as const

/**
 * The instance counts to deploy: the neutral setting, else the older
 * `providerOptions.gcp.maxInstances` / `minInstances`, else Cloud Run's
 * defaults. Both at once is refused: one of them would be silently ignored.
 */
export function instanceCounts(
  scale: Readonly<ScaleSettings>,
  options: Readonly<Record<string, unknown>>,
): { maxInstances: number; minInstances: number } {
  const field = (key: string) => `providerOptions.gcp.${key}`
  for (const key of ['maxInstances', 'minInstances'] as const) {
    if (scale[key] !== undefined && options[key] !== undefined) {
      fail(field(key), `is set together with the definition's ${key}; keep only ${key}`)
    }
  }
  const maxInstances = scale.maxInstances ?? integerOr(options.maxInstances, 100, field('maxInstances'), 1, 1000)
  const minInstances = scale.minInstances ?? integerOr(options.minInstances, 0, field('minInstances'), 0, 1000)
  if (minInstances > maxInstances) {
    fail(
      scale.minInstances === undefined ? field('minInstances') : 'minInstances',
      `must not exceed maxInstances (${maxInstances})`,
    )
  }
  return { maxInstances, minInstances }
}
