/**
 * Lambda's Node.js runtimes differ by runtime interface client: nodejs20.x and
 * nodejs22.x run aws-lambda-ric 3.x, nodejs24.x runs 4.x, which removed
 * callback handlers (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html).
 * ric-differential.test.ts compares each case with the real clients; this
 * file pins the generation table (nodejs20.x included) and the runtime's texts
 * against the clients' own sources.
 */
import { readFileSync } from 'node:fs'
import { CreateFunctionCommand, InvokeCommand, LambdaClient, type Runtime } from '@aws-sdk/client-lambda'
import { describe, expect, it } from 'vitest'
import { emulatorForFile, NO_STATE_DELAYS, zipFunction } from '../__fixtures__/emulator.ts'
import { RIC_ENTRY } from '../__fixtures__/ric-runtime-api.ts'
import { CALLBACK_REFUSED, CALLBACK_WARNING, generationOf, NODEJS_EXIT_MESSAGE } from './host-errors.ts'

const { clientConfig } = emulatorForFile({ region: 'us-east-1', ...NO_STATE_DELAYS })
const lambda = new LambdaClient(clientConfig)

let counter = 0
async function run(runtime: Runtime, code: string) {
  const name = `gen-${++counter}`
  await lambda.send(new CreateFunctionCommand(zipFunction(name, code, { Runtime: runtime, Timeout: 30 })))
  const output = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }))
  return {
    functionError: output.FunctionError,
    body: JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>,
    log: Buffer.from(output.LogResult ?? '', 'base64').toString('utf8'),
  }
}

const CALLBACK = 'export const handler = (event, context, callback) => { callback(null, { via: "callback" }) }'
const REJECTION =
  'export const handler = async () => { Promise.reject(new Error("lost")); await new Promise((r) => setTimeout(r, 20)) }'

describe('runtime generations', () => {
  it('maps each Node.js runtime to its runtime client', () => {
    expect(['nodejs20.x', 'nodejs22.x', 'nodejs24.x'].map(generationOf)).toEqual([3, 3, 4])
  })

  it("uses the runtime clients' own texts", () => {
    const v3 = readFileSync(RIC_ENTRY[3], 'utf8')
    const v4 = readFileSync(RIC_ENTRY[4], 'utf8')
    expect(v3).toContain(CALLBACK_WARNING)
    expect(v3).toContain(NODEJS_EXIT_MESSAGE)
    expect(v4).toContain(CALLBACK_REFUSED)
  })

  for (const runtime of ['nodejs20.x', 'nodejs22.x'] as const) {
    it(`${runtime}: callback handlers work, with the runtime's warning; an unhandled rejection is reported`, async () => {
      const callback = await run(runtime, CALLBACK)
      expect(callback).toMatchObject({ functionError: undefined, body: { via: 'callback' } })
      expect(callback.log).toContain(`\tundefined\tWARN\t${CALLBACK_WARNING}\n`)
      const rejection = await run(runtime, REJECTION)
      expect(rejection.functionError).toBe('Unhandled')
      expect(rejection.body).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: lost' })
    })
  }

  it('nodejs24.x: callback handlers are refused at init; an unhandled rejection ends the runtime', async () => {
    const callback = await run('nodejs24.x', CALLBACK)
    expect(callback.functionError).toBe('Unhandled')
    expect(callback.body).toMatchObject({ errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage: CALLBACK_REFUSED })
    const rejection = await run('nodejs24.x', REJECTION)
    expect(rejection.body).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 1$/),
    })
  })
})
