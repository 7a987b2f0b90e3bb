import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { describe, expect, it } from 'vitest'
import { emulatorForFile, NO_STATE_DELAYS, zipFunction } from '../__fixtures__/emulator.ts'
import { FUNCTION_CREDENTIALS } from './lambda-env.ts'

const region = 'eu-central-1'
const { clientConfig } = emulatorForFile({ region, ...NO_STATE_DELAYS })
const lambda = new LambdaClient(clientConfig)

async function environmentOf(runtime: 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x', variables: Record<string, string> = {}) {
  const name = `env-${runtime.replace('.', '-')}`
  await lambda.send(
    new CreateFunctionCommand(
      zipFunction(name, 'export const handler = async () => ({ ...process.env })', {
        Runtime: runtime,
        MemorySize: 512,
        Timeout: 30,
        Environment: { Variables: variables },
      }),
    ),
  )
  const output = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }))
  return JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, string>
}

describe("the emulator gives functions Lambda's environment variables", () => {
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
  it('sets the reserved and default variables a nodejs22.x function sees', async () => {
    const env = await environmentOf('nodejs22.x', { MODE: 'test', LANG: 'de_DE.UTF-8' })
    expect(env).toMatchObject({
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'env-nodejs22-x',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env-nodejs22-x',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      AWS_ACCESS_KEY: FUNCTION_CREDENTIALS.accessKeyId,
      AWS_ACCESS_KEY_ID: FUNCTION_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FUNCTION_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: FUNCTION_CREDENTIALS.sessionToken,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
      _HANDLER: 'index.handler',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      TZ: ':UTC',
      PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      SHLVL: '0',
      // Unreserved defaults give way to the function's own settings.
      LANG: 'de_DE.UTF-8',
      MODE: 'test',
    })
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/)
    expect(env._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0/)
    // The task root is the unpacked code, the working directory Lambda gives the runtime.
    expect(env.LAMBDA_TASK_ROOT).toBeTruthy()
    expect(env.PWD).toBe(env.LAMBDA_TASK_ROOT)
    expect(env.NODE_PATH).toBe(
      `/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:${env.LAMBDA_TASK_ROOT}`,
    )
    // Nothing of the test process leaks in.
    expect(env.VITEST).toBeUndefined()
    expect(env.HOME).toBeUndefined()
  })

  it('runs the code in its task root, in UTC', async () => {
    await lambda.send(
      new CreateFunctionCommand(
        zipFunction(
          'env-instance',
          {
            'data/greeting.txt': 'hello from the zip',
            'index.mjs': `import { readFileSync } from 'node:fs'
export const handler = async () => ({
  cwd: process.cwd(), root: process.env.LAMBDA_TASK_ROOT, file: readFileSync('data/greeting.txt', 'utf8'),
  hours: new Date(0).getHours(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
})`,
          },
          { Timeout: 30 },
        ),
      ),
    )
    const output = await lambda.send(new InvokeCommand({ FunctionName: 'env-instance' }))
    const body = JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>
    // A relative read of a file in the zip works, as on Lambda (cwd /var/task), and the clock reads UTC (TZ=:UTC).
    expect(body).toEqual({ cwd: body.root, root: expect.any(String), file: 'hello from the zip', hours: 0, zone: 'UTC' })
  })

  it('names the runtime of each generation', async () => {
    expect((await environmentOf('nodejs24.x')).AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs24.x')
    const env20 = await environmentOf('nodejs20.x')
    expect(env20.AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs20.x')
    expect(env20.NODE_PATH).toMatch(/^\/opt\/nodejs\/node20\/node_modules:/)
  })
})
