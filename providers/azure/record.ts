import type { Site } from '@azure/arm-appservice'
import { PORTABLE_RULES } from '../../src/portable-rules.ts'
import type { FunctionRecord } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { originUrl, TAGS } from './names.ts'

export interface RecordFields {
  name: string
  memoryMb: number
  timeoutSec: number
  codeHash: string
  configHash: string
  updatedAt: string
  trigger?: Trigger | undefined
}

export function tagsFor(fields: RecordFields): Record<string, string> {
  return {
    [TAGS.managed]: 'true',
    [TAGS.name]: fields.name,
    [TAGS.codeHash]: fields.codeHash,
    [TAGS.configHash]: fields.configHash,
    [TAGS.memoryMb]: String(fields.memoryMb),
    [TAGS.timeoutSec]: String(fields.timeoutSec),
    [TAGS.updatedAt]: fields.updatedAt,
    // Tag values hold 256 characters; a trigger's JSON is well under that.
    ...(fields.trigger ? { [TAGS.trigger]: JSON.stringify(fields.trigger) } : {}),
  }
}

function triggerFromTag(text: string | undefined): Trigger | undefined {
  if (!text) return undefined
  try {
    return Object.freeze(JSON.parse(text) as Trigger)
  } catch {
    return undefined
  }
}

/** The cloudfn fields an app's tags hold; undefined when cloudfn does not manage it. */
export function fieldsFromSite(site: Pick<Site, 'tags'>): RecordFields | undefined {
  const tags = site.tags ?? {}
  const name = tags[TAGS.name]
  if (tags[TAGS.managed] !== 'true' || !name) return undefined
  return {
    name,
    memoryMb: Number(tags[TAGS.memoryMb] ?? 0),
    timeoutSec: Number(tags[TAGS.timeoutSec] ?? 0),
    codeHash: tags[TAGS.codeHash] ?? '',
    configHash: tags[TAGS.configHash] ?? '',
    updatedAt: tags[TAGS.updatedAt] ?? '',
    trigger: triggerFromTag(tags[TAGS.trigger]),
  }
}

/**
 * App settings the user set: Azure and cloudfn add their own (storage,
 * timeout, Application Insights), all under names the portable rules reserve.
 */
export function userEnvKeys(settings: Record<string, string>): string[] {
  const { reservedPrefixes, reservedKeys } = PORTABLE_RULES.env
  const platform = ['APPLICATIONINSIGHTS_', 'SCM_', 'DEPLOYMENT_']
  return Object.keys(settings)
    .filter((name) => {
      const upper = name.toUpperCase()
      return (
        ![...reservedPrefixes, ...platform].some((prefix) => upper.startsWith(prefix)) && !reservedKeys.includes(upper as never)
      )
    })
    .sort()
}

/**
 * An HTTP function answers at its app's root. Other functions have no URL of
 * their own to show: the keyed envelope endpoint invoke calls is internal,
 * as on every other cloud.
 */
export function toRecord(fields: RecordFields, app: string, envKeys: string[]): FunctionRecord {
  const { trigger, ...rest } = fields
  const url = trigger?.kind === 'http' ? originUrl(app) : undefined
  return { ...rest, ...(trigger ? { trigger } : {}), provider: 'azure', envKeys, url }
}
