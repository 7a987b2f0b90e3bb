import type { VersionConfig } from './model.ts'

/**
 * Credentials of the function's role as the emulated Lambda hands them to the
 * code: obviously fake (the emulator never issues real ones), in the shape of
 * STS session credentials.
 */
export const FUNCTION_CREDENTIALS = {
  accessKeyId: 'ASIAEMULATEDLAMBDA00',
  secretAccessKey: 'emulated-lambda-secret-access-key-not-real',
  sessionToken: 'emulated-lambda-session-token-not-real',
} as const

export interface EnvironmentInput {
  name: string
  region: string
  config: VersionConfig
  /** The unpacked code: LAMBDA_TASK_ROOT (Lambda's /var/task). */
  codeDir: string
  logStream: string
}

/**
 * The environment Lambda gives a Node.js function: the reserved variables and
 * the unreserved defaults of
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime,
 * with the values a nodejs runtime shows there (the runtime API's address, the
 * X-Ray daemon's link-local address, NODE_PATH of the managed runtime). The
 * task root is where the emulator unpacked the zip, not /var/task; the
 * runtime directory names Lambda's path though nothing is there.
 */
export function lambdaEnvironment({ name, region, config, codeDir, logStream }: EnvironmentInput): Record<string, string> {
  const major = /^nodejs(\d+)\.x$/.exec(config.runtime)?.[1] ?? '22'
  const runtimeDir = '/var/runtime'
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_ACCESS_KEY: FUNCTION_CREDENTIALS.accessKeyId,
    AWS_ACCESS_KEY_ID: FUNCTION_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FUNCTION_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: FUNCTION_CREDENTIALS.sessionToken,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
    _HANDLER: config.handler,
    LAMBDA_TASK_ROOT: codeDir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LD_LIBRARY_PATH: `/var/lang/lib:/lib64:/usr/lib64:${runtimeDir}:${runtimeDir}/lib:${codeDir}:${codeDir}/lib:/opt/lib`,
    NODE_PATH: `/opt/nodejs/node${major}/node_modules:/opt/nodejs/node_modules:${runtimeDir}/node_modules:${runtimeDir}:${codeDir}`,
    // The runtime's working directory is the task root.
    PWD: codeDir,
    SHLVL: '0',
  }
}
