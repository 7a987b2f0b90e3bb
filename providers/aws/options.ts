import { expectPlainObject, fail } from '../../src/validation.ts'
import type { UrlAuth } from './record.ts'
import { ROLE_ARN } from './settings.ts'

/** What `providerOptions.aws` may hold. */
export interface AwsFunctionOptions {
  /** Expose the function at an HTTPS function URL. */
  url?: { auth: UrlAuth }
  /** Instruction set (default x86_64). */
  architecture?: 'x86_64' | 'arm64'
  /** Execution role ARN for this function, instead of the provider's. */
  role?: string
}

export const AWS_OPTION_KEYS = ['url', 'architecture', 'role'] as const

/** Checks the values (the core already rejected unknown keys) before anything is sent. */
export function readFunctionOptions(raw: Readonly<Record<string, unknown>>): AwsFunctionOptions {
  const options: AwsFunctionOptions = {}
  if (raw.url !== undefined) {
    const url = expectPlainObject(raw.url, 'providerOptions.aws.url')
    for (const key of Object.keys(url))
      if (key !== 'auth') fail(`providerOptions.aws.url.${key}`, 'is not a known option (allowed: auth)')
    if (url.auth !== 'NONE' && url.auth !== 'AWS_IAM') fail('providerOptions.aws.url.auth', "must be 'AWS_IAM' or 'NONE'")
    options.url = { auth: url.auth }
  }
  if (raw.architecture !== undefined) {
    if (raw.architecture !== 'x86_64' && raw.architecture !== 'arm64')
      fail('providerOptions.aws.architecture', "must be 'x86_64' or 'arm64'")
    options.architecture = raw.architecture
  }
  if (raw.role !== undefined) {
    if (typeof raw.role !== 'string' || !ROLE_ARN.test(raw.role))
      fail('providerOptions.aws.role', 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)')
    options.role = raw.role
  }
  return options
}
