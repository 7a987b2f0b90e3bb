import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import type { FunctionRecord } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'
import { decodeTrigger, encodeTrigger } from './triggers/describe.ts'

/**
 * cloudfn keeps its config hash and the function's trigger in the
 * Description: ListFunctions and GetFunctionConfiguration return it (tags
 * need one more call per function), so get() and list() can tell what is
 * deployed without extra requests. The code hash is Lambda's own CodeSha256.
 */
const MARKER = 'cloudfn:v1'
const DESCRIPTION = /^cloudfn:v1 config=([0-9a-f]{64}) (?:reserved=(\d+) )?(?:trigger=(.+)|url=(NONE|AWS_IAM|-))$/
/** Lambda's limit on Description. */
export const DESCRIPTION_CHARS = 256

export interface CloudfnDescription {
  configHash: string
  trigger: Trigger | undefined
  /** Deployed before triggers existed, with a function URL (`providerOptions.aws.url`): it goes on the next update. */
  legacyUrl?: boolean
  /**
   * The reserved concurrency cloudfn set (`maxInstances`, concurrency.ts).
   * A reservation cloudfn did not record is an operator's (reserved
   * concurrency 0 is the usual emergency stop): cloudfn never removes it.
   * Written before the trigger, whose schedule expression may hold spaces.
   */
  reserved?: number | undefined
}

export function encodeDescription(description: CloudfnDescription): string {
  const trigger = description.trigger ? encodeTrigger(description.trigger) : '-'
  const reserved = description.reserved === undefined ? '' : ` reserved=${description.reserved}`
  return `${MARKER} config=${description.configHash}${reserved} trigger=${trigger}`
}

/** Undefined when the function was not deployed by cloudfn. */
export function decodeDescription(text: string | undefined): CloudfnDescription | undefined {
  const match = DESCRIPTION.exec(text ?? '')
  if (!match) return undefined
  const [, configHash = '', reservedText, trigger, legacy] = match
  const reserved = reservedText === undefined ? {} : { reserved: Number(reservedText) }
  if (legacy !== undefined) return { configHash, trigger: undefined, legacyUrl: legacy !== '-', ...reserved }
  return { configHash, trigger: trigger === '-' || trigger === undefined ? undefined : decodeTrigger(trigger), ...reserved }
}

/** Lambda reports CodeSha256 in base64; cloudfn hashes are hex. */
export function hexFromBase64(base64: string | undefined): string {
  return Buffer.from(base64 ?? '', 'base64').toString('hex')
}

/** Lambda's `2024-01-02T03:04:05.000+0000` as ISO time. */
function isoTime(lastModified: string | undefined): string {
  const date = new Date((lastModified ?? '').replace(/([+-]\d\d)(\d\d)$/, '$1:$2'))
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString()
}

export function toRecord(configuration: FunctionConfiguration, url?: string): FunctionRecord {
  const description = decodeDescription(configuration.Description)
  return {
    name: configuration.FunctionName ?? '',
    provider: 'aws',
    memoryMb: configuration.MemorySize ?? 128,
    timeoutSec: configuration.Timeout ?? 3,
    envKeys: Object.keys(configuration.Environment?.Variables ?? {}).sort(),
    codeHash: hexFromBase64(configuration.CodeSha256),
    configHash: description?.configHash ?? '',
    url,
    trigger: description?.trigger,
    updatedAt: isoTime(configuration.LastModified),
  }
}
