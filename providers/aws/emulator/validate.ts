import { AWS_LIMITS } from '../capabilities.ts'
import type { VersionConfig } from './model.ts'
import { AwsFault } from './wire.ts'

/** Node.js and Python runtimes Lambda accepts for new functions (enough for what the emulator runs). */
const RUNTIMES = new Set(['nodejs20.x', 'nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13'])
const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
])
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/

function validationError(value: unknown, member: string, constraint: string): AwsFault {
  return new AwsFault(
    400,
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  )
}

export function checkFunctionName(name: unknown): string {
  // A well-formed name that is too long is an InvalidParameterValueException (recorded from AWS, LocalStack
  // snapshot test_function_name_and_qualifier_validation[function_name_too_long-create_function]).
  if (typeof name === 'string' && /^[A-Za-z0-9_-]{65,}$/.test(name)) {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    )
  }
  if (typeof name !== 'string' || !AWS_LIMITS.namePattern.test(name)) {
    throw validationError(
      name,
      'functionName',
      'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
    )
  }
  return name
}

function checkRange(value: unknown, member: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validationError(value, member, 'Member must be an integer')
  if (value < min) throw validationError(value, member, `Member must have value greater than or equal to ${min}`)
  if (value > max) throw validationError(value, member, `Member must have value less than or equal to ${max}`)
  return value
}

function checkEnvironment(raw: unknown): Record<string, string> {
  const variables = ((raw as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, unknown>
  const reserved = Object.keys(variables).filter((key) => RESERVED_ENV.has(key))
  if (reserved.length > 0) {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    )
  }
  const text = JSON.stringify(variables)
  if (Buffer.byteLength(text) > AWS_LIMITS.envBytes) {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${text.slice(0, 200)}`,
    )
  }
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)]))
}

/**
 * The configuration fields of CreateFunction / UpdateFunctionConfiguration,
 * checked as Lambda checks them; `base` supplies what an update leaves out.
 */
export function readConfig(body: Record<string, unknown>, base?: VersionConfig): VersionConfig {
  const role = body.Role ?? base?.role
  if (typeof role !== 'string' || !ROLE.test(role))
    throw validationError(role, 'role', `Member must satisfy regular expression pattern: ${ROLE.source}`)
  const runtime = body.Runtime ?? base?.runtime
  if (typeof runtime !== 'string' || !RUNTIMES.has(runtime)) {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `The runtime parameter of ${String(runtime)} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    )
  }
  const handler = body.Handler ?? base?.handler
  // The API model's pattern and length (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-Handler):
  // a handler without a dot is accepted here and fails at init with Runtime.MalformedHandlerName.
  if (typeof handler !== 'string' || !/^[^\s]+$/.test(handler) || handler.length > 128)
    throw validationError(handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+')
  const description = body.Description ?? base?.description ?? ''
  if (typeof description !== 'string' || description.length > AWS_LIMITS.descriptionChars) {
    throw validationError(
      description,
      'description',
      `Member must have length less than or equal to ${AWS_LIMITS.descriptionChars}`,
    )
  }
  const architectures = (body.Architectures ?? base?.architectures ?? ['x86_64']) as unknown[]
  if (architectures.length !== 1 || !['x86_64', 'arm64'].includes(architectures[0] as string)) {
    throw validationError(architectures, 'architectures', 'Member must satisfy enum value set: [x86_64, arm64]')
  }
  return {
    role,
    runtime,
    handler,
    description,
    architectures: architectures as string[],
    memorySize: checkRange(
      body.MemorySize ?? base?.memorySize ?? 128,
      'memorySize',
      AWS_LIMITS.memoryMb.min,
      AWS_LIMITS.memoryMb.max,
    ),
    timeout: checkRange(body.Timeout ?? base?.timeout ?? 3, 'timeout', AWS_LIMITS.timeoutSec.min, AWS_LIMITS.timeoutSec.max),
    environment: body.Environment === undefined && base ? base.environment : checkEnvironment(body.Environment),
  }
}

/** Decodes and checks an uploaded zip (base64 in the JSON body). */
export async function readZip(base64: unknown): Promise<Uint8Array> {
  if (typeof base64 !== 'string' || base64 === '') {
    throw new AwsFault(400, 'InvalidParameterValueException', 'Please provide a source for function code.')
  }
  const zip = new Uint8Array(Buffer.from(base64, 'base64'))
  if (zip.byteLength > AWS_LIMITS.zipBytes) {
    // AWS's text (recorded, LocalStack snapshot test_oversized_zipped_create_lambda).
    throw new AwsFault(413, 'RequestEntityTooLargeException', `Zipped size must be smaller than ${AWS_LIMITS.zipBytes} bytes`)
  }
  const { unzipSync } = await import('fflate')
  let unzipped = 0
  try {
    for (const file of Object.values(unzipSync(zip))) unzipped += file.byteLength
  } catch {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      'Could not unzip uploaded file. Please check your file, then try to upload again.',
    )
  }
  if (unzipped > AWS_LIMITS.unzippedBytes) {
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `Unzipped size must be smaller than ${AWS_LIMITS.unzippedBytes} bytes`,
    )
  }
  return zip
}
