import { rememberSecretValues } from './redact.ts'
import { expectInteger, expectPlainObject, expectString, fail } from './validation.ts'

/**
 * Rules every function definition must meet so that it deploys identically on
 * every cloud: the intersection of what AWS Lambda, Cloud Functions and Azure
 * Functions accept. Providers may narrow them further (see capabilities).
 */
export const PORTABLE_RULES = {
  name: {
    pattern: /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    description:
      '1 to 40 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen',
  },
  memoryMb: { min: 128, max: 10240, default: 256 },
  timeoutSec: { min: 1, max: 3600, default: 60 },
  env: {
    keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    // Names the platforms set or reserve on at least one cloud.
    reservedPrefixes: [
      'AWS_',
      'LAMBDA_',
      'X_GOOGLE_',
      'GOOGLE_',
      'K_',
      'FUNCTION_',
      'FUNCTIONS_',
      'WEBSITE_',
      'AZURE',
      'CLOUDFN_',
    ],
    // Lambda's reserved list (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
    // beyond the prefixes above: _HANDLER, _X_AMZN_TRACE_ID; Cloud Run's K_* and PORT; Azure's FUNCTIONS_*, WEBSITE_*.
    reservedKeys: ['PORT', 'NODE_OPTIONS', '_HANDLER', '_X_AMZN_TRACE_ID', 'TZ_OVERRIDE', 'HOME', 'PATH', 'LANG'],
    /**
     * Lambda's 4 KB, measured as Lambda measures it: the JSON of the variables
     * it stores (quotes, separators and escapes included), the tightest of the
     * clouds. The names and values alone must also fit.
     */
    maxTotalBytes: 4096,
  },
} as const

export function validateName(value: unknown, field = 'name'): string {
  const name = expectString(value, field)
  if (!PORTABLE_RULES.name.pattern.test(name)) {
    fail(field, `must be ${PORTABLE_RULES.name.description} (got ${JSON.stringify(name)})`)
  }
  return name
}

export function validateMemory(value: unknown, field = 'memoryMb'): number {
  const { min, max } = PORTABLE_RULES.memoryMb
  return expectInteger(value, field, min, max, ' MB')
}

export function validateTimeout(value: unknown, field = 'timeoutSec'): number {
  const { min, max } = PORTABLE_RULES.timeoutSec
  return expectInteger(value, field, min, max, ' seconds')
}

export function validateEnv(value: unknown, field = 'env'): Record<string, string> {
  const env = expectPlainObject(value, field)
  const rules = PORTABLE_RULES.env
  let bytes = 0
  for (const [key, entry] of Object.entries(env)) {
    // An own `__proto__` survives a spread but not the JSON some clouds' SDKs build: lost on GCP and Azure.
    if (key === '__proto__') fail(`${field}.${key}`, 'is not a usable variable name (it is lost on some clouds)')
    if (!rules.keyPattern.test(key)) {
      fail(`${field}.${key}`, 'is not a valid variable name (letters, digits and _, not starting with a digit)')
    }
    const upper = key.toUpperCase()
    if (rules.reservedKeys.includes(upper as never) || rules.reservedPrefixes.some((p) => upper.startsWith(p))) {
      fail(`${field}.${key}`, 'is reserved by a cloud platform or by cloudfn; choose another name')
    }
    if (typeof entry !== 'string') fail(`${field}.${key}`, `must be a string (got ${typeof entry})`)
    bytes += Buffer.byteLength(key) + Buffer.byteLength(entry)
  }
  if (bytes > rules.maxTotalBytes) {
    fail(field, `must total at most ${rules.maxTotalBytes} bytes of names and values (got ${bytes})`)
  }
  const stored = Buffer.byteLength(JSON.stringify(env))
  if (stored > rules.maxTotalBytes) {
    fail(
      field,
      `must total at most ${rules.maxTotalBytes} bytes as AWS Lambda measures it, the JSON of the variables (got ${stored})`,
    )
  }
  rememberSecretValues(Object.values(env as Record<string, string>))
  return { ...(env as Record<string, string>) }
}

export function validateProviderOptions(value: unknown, field = 'providerOptions'): Record<string, Record<string, unknown>> {
  const options = expectPlainObject(value, field)
  for (const [provider, entry] of Object.entries(options)) expectPlainObject(entry, `${field}.${provider}`)
  return options as Record<string, Record<string, unknown>>
}
