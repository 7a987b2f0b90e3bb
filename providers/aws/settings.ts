import type { LambdaClientConfig } from '@aws-sdk/client-lambda'
import type { CloudSettings } from '../../src/client.ts'
import { type PriceOverrides, withPriceOverrides } from '../../src/cost/override.ts'
import { expectKnownKeys, expectPlainObject, expectString, fail, integerOr } from '../../src/validation.ts'
import { AWS_LAMBDA_PRICES, type AwsLambdaPrices } from './pricing.ts'

export const RUNTIMES = ['nodejs22.x', 'nodejs20.x', 'nodejs24.x'] as const
export type AwsRuntime = (typeof RUNTIMES)[number]

export interface AwsSettings extends CloudSettings {
  /** e.g. `eu-west-1`. */
  region: string
  /** Defaults to the AWS SDK's credential chain (env, profile, SSO, instance role). */
  credentials?: LambdaClientConfig['credentials']
  /** ARN of the execution role; when absent, deploy creates `cloudfn-lambda-execution` once. */
  role?: string
  /** Lambda runtime (default `nodejs22.x`). */
  runtime?: AwsRuntime
  /** Interval between state polls while waiting for a deploy (default 1000 ms), reached after quicker first polls from 25 ms (src/poll-pace.ts). */
  pollIntervalMs?: number
  /** Longest wait for a function to become ready (default 300 000 ms). */
  readyTimeoutMs?: number
  /** Your prices, over the us-east-1 list prices of `AWS_LAMBDA_PRICES` (another region, a discount): `meta.cost` uses them. */
  pricing?: PriceOverrides<AwsLambdaPrices>
}

export interface ResolvedAwsSettings {
  region: string
  credentials: LambdaClientConfig['credentials'] | undefined
  role: string | undefined
  runtime: AwsRuntime
  pollIntervalMs: number
  readyTimeoutMs: number
  prices: AwsLambdaPrices
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/

export function resolveSettings(settings: Omit<AwsSettings, 'retry'>): ResolvedAwsSettings {
  const checked = expectPlainObject(settings, 'settings')
  expectKnownKeys(
    checked,
    ['region', 'credentials', 'role', 'runtime', 'pollIntervalMs', 'readyTimeoutMs', 'pricing'],
    'settings',
  )
  const region = expectString(checked.region, 'settings.region')
  if (!REGION.test(region)) fail('settings.region', `must be an AWS region such as eu-west-1 (got ${JSON.stringify(region)})`)
  const role = checked.role === undefined ? undefined : expectString(checked.role, 'settings.role')
  if (role !== undefined && !ROLE_ARN.test(role))
    fail('settings.role', 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)')
  const runtime = (checked.runtime ?? 'nodejs22.x') as AwsRuntime
  if (!RUNTIMES.includes(runtime)) fail('settings.runtime', `must be one of ${RUNTIMES.join(', ')}`)
  const credentials = checked.credentials
  if (credentials !== undefined && typeof credentials !== 'function' && typeof credentials !== 'object') {
    // The value itself is never echoed: it may be a secret.
    fail('settings.credentials', 'must be { accessKeyId, secretAccessKey, sessionToken? } or a credential provider function')
  }
  return {
    region,
    credentials: credentials as ResolvedAwsSettings['credentials'],
    role,
    runtime,
    pollIntervalMs: integerOr(checked.pollIntervalMs, 1000, 'settings.pollIntervalMs', 0, 60_000),
    readyTimeoutMs: integerOr(checked.readyTimeoutMs, 300_000, 'settings.readyTimeoutMs', 1, 3_600_000),
    prices: withPriceOverrides(AWS_LAMBDA_PRICES, checked.pricing, 'settings.pricing'),
  }
}
