import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import type { FunctionRecord } from '../../src/provider.ts'

/**
 * cloudfn keeps its config hash in the function's Description: ListFunctions
 * and GetFunctionConfiguration return it (tags need one more call per
 * function), so get() and list() can tell what is deployed without extra
 * requests. The code hash is Lambda's own CodeSha256.
 */
const MARKER = 'cloudfn:v1'
const DESCRIPTION = /^cloudfn:v1 config=([0-9a-f]{64}) url=(NONE|AWS_IAM|-)$/

export type UrlAuth = 'NONE' | 'AWS_IAM'

export interface CloudfnDescription {
  configHash: string
  url: UrlAuth | undefined
}

export function encodeDescription(description: CloudfnDescription): string {
  return `${MARKER} config=${description.configHash} url=${description.url ?? '-'}`
}

/** Undefined when the function was not deployed by cloudfn. */
export function decodeDescription(text: string | undefined): CloudfnDescription | undefined {
  const match = DESCRIPTION.exec(text ?? '')
  if (!match) return undefined
  return { configHash: match[1] as string, url: match[2] === '-' ? undefined : (match[2] as UrlAuth) }
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
  return {
    name: configuration.FunctionName ?? '',
    provider: 'aws',
    memoryMb: configuration.MemorySize ?? 128,
    timeoutSec: configuration.Timeout ?? 3,
    envKeys: Object.keys(configuration.Environment?.Variables ?? {}).sort(),
    codeHash: hexFromBase64(configuration.CodeSha256),
    configHash: decodeDescription(configuration.Description)?.configHash ?? '',
    url,
    updatedAt: isoTime(configuration.LastModified),
  }
}
