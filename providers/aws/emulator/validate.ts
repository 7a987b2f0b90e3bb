import { AWS_LIMITS } from '../capabilities.ts'
import type { VersionConfig } from './model.ts'
import { AwsFault } from './wire.ts'

/**
 * Node.js and Python runtimes Lambda accepts for new functions (enough for what the emulator runs); AWS
 * updated a function to python3.11 (recorded, LocalStack snapshot test_function_lifecycle) and lists
 * python3.10-3.14 as supported (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
 */
const RUNTIMES = new Set([
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
])
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
/** The role pattern as AWS prints it (recorded, LocalStack snapshot test_create_lambda_exceptions invalid_role_arn_exc). */
const ROLE_PATTERN_TEXT = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+'
/**
 * The Runtime enum of the API model, in the order AWS lists it (recorded 12-01-2026, LocalStack
 * snapshot test_create_lambda_exceptions invalid_runtime_exc): a value outside it is answered with this list.
 */
const RUNTIME_ENUM = [
  'nodejs20.x',
  'python3.14',
  'provided.al2023',
  'python3.12',
  'python3.13',
  'nodejs24.x',
  'nodejs22.x',
  'java25',
  'python3.10',
  'python3.11',
  'java21',
  'ruby3.3',
  'ruby3.4',
  'ruby3.2',
  'python3.8',
  'python3.9',
  'java17',
  'nodejs16.x',
  'dotnet10',
  'dotnet8',
  'java11',
  'dotnet6',
  'nodejs18.x',
  'provided.al2',
  'java8.al2',
]
/**
 * Runtimes retired from the enum that AWS answers with the deprecated-runtime text instead: the eight
 * recorded (LocalStack snapshot test_create_deprecated_function_runtime_with_validation_enabled) and
 * the older ones of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated.
 */
const RETIRED_RUNTIMES = new Set([
  'java8',
  'go1.x',
  'provided',
  'ruby2.7',
  'ruby2.5',
  'nodejs14.x',
  'nodejs12.x',
  'nodejs10.x',
  'nodejs8.10',
  'nodejs6.10',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs',
  'python3.7',
  'python3.6',
  'python2.7',
  'dotnetcore3.1',
  'dotnetcore2.1',
  'dotnetcore2.0',
  'dotnetcore1.0',
  'dotnet5.0',
  'dotnet7',
])
/** FunctionName's pattern as AWS prints it (recorded 25-11-2025, LocalStack snapshot test_function_arns invalid_function_name_exc). */
const NAME_PATTERN_TEXT =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?'

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
    throw validationError(name, 'functionName', `Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`)
  }
  return name
}

/** Invoke's FunctionName pattern as AWS prints it (recorded 25-11-2025, LocalStack snapshot test_invalid_invoke). */
const INVOKE_NAME_TEXT =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?'
const INVOKE_NAME = new RegExp(`^${INVOKE_NAME_TEXT}$`)

/**
 * Invoke's FunctionName as sent in the path (before the router takes the name out of an ARN):
 * one that does not match the API model's pattern is a ValidationException, not a 404.
 */
export function checkInvokeName(request: Request): void {
  const raw = decodeURIComponent(new URL(request.url).pathname.split('/')[3] ?? '')
  // The API model's maximum for Invoke's FunctionName.
  if (raw.length > 170) throw validationError(raw, 'functionName', 'Member must have length less than or equal to 170')
  if (!INVOKE_NAME.test(raw)) {
    throw validationError(raw, 'functionName', `Member must satisfy regular expression pattern: ${INVOKE_NAME_TEXT}`)
  }
}

/**
 * CreateFunction's FunctionName: a name, a partial ARN (`<account>:function:<name>`) or a full ARN,
 * as AWS takes it (recorded, LocalStack snapshot test_function_arns): at most 140 characters
 * (ValidationException), an ARN of another region is 404 "not reachable in this region", of
 * another account 403 AccessDeniedException without a message. Returns the plain name.
 */
export function checkCreateName(name: unknown, region: string, accountId: string): string {
  if (typeof name === 'string' && name.length > 140) {
    throw validationError(name, 'functionName', 'Member must have length less than or equal to 140')
  }
  const arn =
    typeof name === 'string' ? /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):)?(\d{12}):function:([^:]+)$/.exec(name) : null
  if (!arn) return checkFunctionName(name)
  const [, arnRegion, account, plain] = arn
  if (arnRegion !== undefined && arnRegion !== region) {
    throw new AwsFault(
      404,
      'ResourceNotFoundException',
      `Functions from '${arnRegion}' are not reachable in this region ('${region}')`,
    )
  }
  if (account !== accountId) throw new AwsFault(403, 'AccessDeniedException', '')
  return checkFunctionName(plain)
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
      // AWS quotes the whole measured string (recorded, LocalStack snapshot test_large_environment_variables_fails).
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${text}`,
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
    throw validationError(role, 'role', `Member must satisfy regular expression pattern: ${ROLE_PATTERN_TEXT}`)
  const runtime = body.Runtime ?? base?.runtime
  if (typeof runtime !== 'string' || (!RUNTIME_ENUM.includes(runtime) && !RETIRED_RUNTIMES.has(runtime))) {
    // Recorded, LocalStack snapshot test_create_lambda_exceptions invalid_runtime_exc / uppercase_runtime_exc.
    throw new AwsFault(
      400,
      'InvalidParameterValueException',
      `Value ${String(runtime)} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${RUNTIME_ENUM.join(', ')}] or be a valid ARN`,
    )
  }
  if (!RUNTIMES.has(runtime)) {
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
  // AWS prints the list as Java does, checks its length first, then each member
  // (recorded, LocalStack snapshot test_create_lambda_exceptions multiple_architectures / uppercase_architecture).
  const listed = `[${architectures.map(String).join(', ')}]`
  if (architectures.length > 1) throw validationError(listed, 'architectures', 'Member must have length less than or equal to 1')
  if (architectures.length === 0)
    throw validationError(listed, 'architectures', 'Member must have length greater than or equal to 1')
  if (!['x86_64', 'arm64'].includes(architectures[0] as string)) {
    throw validationError(
      listed,
      'architectures',
      'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]',
    )
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
