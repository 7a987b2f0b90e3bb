import { fail } from '../../src/validation.ts'
import { ROLE_ARN } from './settings.ts'

/** What `providerOptions.aws` may hold (a function URL comes from `trigger: http()`). */
export interface AwsFunctionOptions {
  /** Instruction set (default x86_64). */
  architecture?: 'x86_64' | 'arm64'
  /** Execution role ARN for this function, instead of the provider's; a queue trigger needs it to read SQS. */
  role?: string
}

export const AWS_OPTION_KEYS = ['architecture', 'role'] as const

/** Checks the values (the core already rejected unknown keys) before anything is sent. */
export function readFunctionOptions(raw: Readonly<Record<string, unknown>>): AwsFunctionOptions {
  const options: AwsFunctionOptions = {}
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
