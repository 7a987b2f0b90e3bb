import type { FunctionRecord } from '../../src/provider.ts'
import { CODE_LABEL, CONFIG_LABEL, labelToHex } from './labels.ts'
import { parseMemoryMb } from './memory.ts'
import { shortName } from './names.ts'
import type { GcpFunction } from './sdk.ts'
import { storedTrigger } from './triggers/stored.ts'

/** Read by the Functions Framework: deploy.ts sets it empty for HTTP functions. */
export const IGNORED_ROUTES_ENV = 'IGNORED_ROUTES'

/**
 * Variables set by Cloud Functions itself (2nd gen) or by cloudfn for the shim
 * and the framework (an empty IGNORED_ROUTES, see deploy.ts); not the user's.
 */
const isPlatformEnv = (key: string, value: string) =>
  key === 'LOG_EXECUTION_ID' || key.startsWith('CLOUDFN_') || (key === IGNORED_ROUTES_ENV && value === '')

/** What the invoke path needs to know about a deployed function. */
export interface Endpoint {
  url: string
  timeoutSec: number
  memoryMb: number
}

/**
 * A caller's URL ends with '/' as on every other backend; Cloud Run's service
 * URI (the ID token's audience, see toEndpoint and triggers/calls.ts) does not.
 */
const withSlash = (uri: string | null | undefined) => (uri ? (uri.endsWith('/') ? uri : `${uri}/`) : undefined)

function isoTime(value: GcpFunction['updateTime']): string {
  if (typeof value === 'string') return new Date(value).toISOString()
  if (value && typeof value === 'object' && value.seconds !== undefined && value.seconds !== null) {
    const millis = Number(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6)
    return new Date(millis).toISOString()
  }
  return new Date(0).toISOString()
}

export function toRecord(fn: GcpFunction): FunctionRecord {
  const service = fn.serviceConfig ?? {}
  const labels = fn.labels ?? {}
  const trigger = storedTrigger(service.environmentVariables)
  return {
    name: shortName(fn.name),
    provider: 'gcp',
    memoryMb: parseMemoryMb(service.availableMemory) ?? 256,
    timeoutSec: service.timeoutSeconds ?? 60,
    envKeys: Object.entries(service.environmentVariables ?? {})
      .filter(([key, value]) => !isPlatformEnv(key, value))
      .map(([key]) => key)
      .sort(),
    codeHash: labelToHex(labels[CODE_LABEL]),
    configHash: labelToHex(labels[CONFIG_LABEL]),
    // Only an HTTP function's URL is for callers; invoke uses it internally (toEndpoint).
    url: trigger?.kind === 'http' ? withSlash(service.uri) : undefined,
    trigger,
    updatedAt: isoTime(fn.updateTime),
  }
}

export function toEndpoint(fn: GcpFunction): Endpoint | undefined {
  const url = fn.serviceConfig?.uri
  const record = toRecord(fn)
  return url ? { url, timeoutSec: record.timeoutSec, memoryMb: record.memoryMb } : undefined
}
