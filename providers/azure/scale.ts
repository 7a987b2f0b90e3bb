import type { FunctionsScaleAndConcurrency } from '@azure/arm-appservice'
import type { ScaleSettings } from '../../src/scale.ts'
import { fail, integerOr } from '../../src/validation.ts'

/** Flex Consumption's default maximum instance count. */
const DEFAULT_MAX_INSTANCES = 100

/**
 * On Flex Consumption, `maxInstances` is the app's
 * `functionAppConfig.scaleAndConcurrency.maximumInstanceCount` (default 100,
 * at most 1000: https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan;
 * 1 as the lowest value is what cloudfn accepted before for
 * `providerOptions.azure.maximumInstanceCount`, UNCONFIRMED against the docs,
 * which once named 40), and `minInstances` is the always-ready instance
 * count of the app's `http` group (`alwaysReady: [{ name: 'http',
 * instanceCount }]`, https://aka.ms/flexconsumption/alwaysready), through
 * which cloudfn invokes: billed while idle. Each instance takes several HTTP
 * requests at once by default (per-instance concurrency follows the
 * instance memory), so a deploy that sets `maxInstances` also sets
 * `triggers.http.perInstanceConcurrency: 1`: the ceiling then counts
 * executions, as on the other clouds.
 */
export const AZURE_SCALE = { maxInstances: { min: 1, max: 1000 }, minInstances: { min: 0, max: 1000 } } as const

/**
 * The scale part of the site's `functionAppConfig`: the neutral setting,
 * else the older `providerOptions.azure.maximumInstanceCount`, else Flex's
 * default. Both at once is refused. Checked before the first request.
 */
export function scaleAndConcurrencyOf(
  scale: Readonly<ScaleSettings>,
  options: Readonly<Record<string, unknown>>,
): Omit<FunctionsScaleAndConcurrency, 'instanceMemoryMB'> {
  const field = 'providerOptions.azure.maximumInstanceCount'
  if (scale.maxInstances !== undefined && options.maximumInstanceCount !== undefined) {
    fail(field, "is set together with the definition's maxInstances; keep only maxInstances")
  }
  const maximumInstanceCount =
    scale.maxInstances ?? integerOr(options.maximumInstanceCount, DEFAULT_MAX_INSTANCES, field, 1, 1000)
  const warm = scale.minInstances ?? 0
  if (warm > maximumInstanceCount) fail('minInstances', `must not exceed the maximum instance count (${maximumInstanceCount})`)
  return {
    maximumInstanceCount,
    ...(warm > 0 ? { alwaysReady: [{ name: 'http', instanceCount: warm }] } : {}),
    ...(scale.maxInstances === undefined ? {} : { triggers: { http: { perInstanceConcurrency: 1 } } }),
  }
}
