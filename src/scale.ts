/**
 * The neutral scale setting (issue #20): `maxInstances`, a ceiling on the
 * function's concurrent executions, and `minInstances`, instances kept warm
 * (which cost money while idle). Each cloud maps them onto its own setting
 * (README "Scale"); a provider declares what it honours in
 * `capabilities.scale`, and the core checks the values against it before
 * anything is sent.
 */
import type { Warning } from './provider.ts'
import { expectInteger, fail } from './validation.ts'

/** An inclusive range of instance counts a provider accepts. */
export interface InstanceRange {
  min: number
  max: number
}

/** What a provider honours; an absent setting is not honoured (a deploy that sets it gets a warning). */
export interface ScaleCapabilities {
  maxInstances?: InstanceRange | undefined
  minInstances?: InstanceRange | undefined
}

/** The scale a deploy asks for; undefined leaves the cloud's default (no ceiling of cloudfn's, no warm instances). */
export interface ScaleSettings {
  maxInstances: number | undefined
  minInstances: number | undefined
}

/** Every cloud's range contains these; providers narrow them (see `capabilities.scale`). */
export const PORTABLE_SCALE = {
  maxInstances: { min: 1, max: 1000 },
  minInstances: { min: 0, max: 1000 },
} as const

const FIELDS = ['maxInstances', 'minInstances'] as const

/** Checks the definition's values against the portable rules: integers in range, and min not above max. */
export function validateScale(config: { maxInstances?: unknown; minInstances?: unknown }): ScaleSettings {
  const scale: ScaleSettings = { maxInstances: undefined, minInstances: undefined }
  for (const field of FIELDS) {
    const value = config[field]
    if (value !== undefined) {
      const { min, max } = PORTABLE_SCALE[field]
      scale[field] = expectInteger(value, field, min, max, ' instances')
    }
  }
  if (scale.maxInstances !== undefined && scale.minInstances !== undefined && scale.minInstances > scale.maxInstances) {
    fail('minInstances', `must not exceed maxInstances (${scale.maxInstances}; got ${scale.minInstances})`)
  }
  return scale
}

/**
 * Checks the scale against a provider's capabilities: a value outside the
 * provider's range is an `InvalidArgumentError` naming the field; a setting
 * the provider does not honour gives a warning instead (nothing is set).
 * `minInstances: 0` asks for nothing, so it never warns.
 */
export function checkScaleSupport(
  scale: ScaleSettings,
  capabilities: ScaleCapabilities | undefined,
  provider: string,
): Warning[] {
  const warnings: Warning[] = []
  for (const field of FIELDS) {
    const value = scale[field]
    if (value === undefined) continue
    const range = capabilities?.[field]
    if (range) expectInteger(value, field, range.min, range.max, ` instances on ${provider}`)
    else if (!(field === 'minInstances' && value === 0)) {
      warnings.push({ setting: field, message: `${provider} cannot honour ${field}; it was not set` })
    }
  }
  return warnings
}

/**
 * The scale settings that differ between what is deployed and what a deploy
 * asks for (empty: nothing to change). The one comparison deploys and plans
 * use; `minInstances` undefined and 0 are the same (no warm instances).
 */
export function scaleChanges(deployed: Readonly<ScaleSettings>, wanted: Readonly<ScaleSettings>): Array<keyof ScaleSettings> {
  const changed: Array<keyof ScaleSettings> = []
  if (deployed.maxInstances !== wanted.maxInstances) changed.push('maxInstances')
  if ((deployed.minInstances ?? 0) !== (wanted.minInstances ?? 0)) changed.push('minInstances')
  return changed
}

/**
 * What the scale adds to a deploy's configuration hash: nothing when unset,
 * so functions deployed before the setting existed keep their hash (and are
 * not redeployed for it).
 */
export function scaleHashPart(scale: Readonly<ScaleSettings>): unknown[] {
  const { maxInstances, minInstances } = scale
  if (maxInstances === undefined && !minInstances) return []
  return [{ scale: { maxInstances: maxInstances ?? null, minInstances: minInstances ?? 0 } }]
}
