/**
 * Replays answers real AWS gave, recorded by LocalStack's AWS-validated snapshot
 * tests (../__fixtures__/recorded/localstack-lambda.snapshot.json, Apache-2.0,
 * attribution inside), against the emulator through the unmodified LambdaClient:
 * status, error code, message and the state fields cloudfn reads. LocalStack's
 * placeholders (<region>, <uuid>, 111111111111, <a:len(65)>) are filled with
 * the emulator's values before comparing.
 */
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { emulatorForFile, sdkError, zipFunction } from '../__fixtures__/emulator.ts'
import recordings from '../__fixtures__/recorded/localstack-lambda.snapshot.json' with { type: 'json' }

const region = 'us-east-1'
// Pending and InProgress last until the test moves the state clock (active()): an update right after another
// meets the first one in progress however slow the machine (on the wall clock that was a 150 ms window).
const stateClock = createManualClock()
const { emulator, clientConfig } = emulatorForFile({ region, stateDelayMs: 150, updateDelayMs: 150, roleDelayMs: 0, stateClock })
const lambda = new LambdaClient(clientConfig)
const encoder = new TextEncoder()
const ROLE = 'arn:aws:iam::123456789012:role/recorded'

type Recording = Record<string, unknown>

function recorded(test: string): Recording {
  const entry = Object.entries(recordings).find(([key]) => key.endsWith(`::${test}`))
  if (!entry) throw new Error(`no recording ${test}`)
  return (entry[1] as { 'recorded-content': Recording })['recorded-content']
}

/** LocalStack's placeholders with the emulator's account, region and names. */
function fill(text: string, values: Record<string, string>): string {
  let out = text
    .replaceAll('arn:<partition>:', 'arn:aws:')
    .replaceAll('<region>', region)
    .replaceAll('111111111111', emulator.state.options.accountId)
  for (const [placeholder, value] of Object.entries(values)) out = out.replaceAll(placeholder, value)
  return out
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const error = await sdkError(promise)
  const status = (error.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode
  return { name: error.name, message: error.message, status }
}

function expectedError(recording: unknown, values: Record<string, string> = {}) {
  const r = recording as { Error?: { Code: string; Message: string }; ResponseMetadata?: { HTTPStatusCode: number } }
  if (!r.Error || !r.ResponseMetadata) throw new Error('not an error recording')
  return { name: r.Error.Code, message: fill(r.Error.Message, values), status: r.ResponseMetadata.HTTPStatusCode }
}

async function create(name: string, code: string, extra: Record<string, unknown> = {}) {
  return lambda.send(new CreateFunctionCommand(zipFunction(name, code, { Role: ROLE, Timeout: 30, ...extra })))
}

async function active(name: string): Promise<void> {
  for (;;) {
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: name }))
    if (Configuration?.State === 'Active' && Configuration.LastUpdateStatus !== 'InProgress') return
    await stateClock.advance(20)
  }
}

describe('the emulator answers as recorded from real AWS', () => {
  it('test_function_state: Pending with its reason after create, then Active and Successful', async () => {
    const recording = recorded('TestLambdaBaseFeatures::test_function_state') as Record<string, Record<string, unknown>>
    const created = await create('recorded-state', 'export const handler = async () => 1')
    const fields = ['State', 'StateReason', 'StateReasonCode', 'LastUpdateStatus'] as const
    const pick = (source: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, source[f]]))
    expect(pick(created as unknown as Record<string, unknown>)).toEqual(
      pick(recording['create-fn-response'] as Record<string, unknown>),
    )
    await active('recorded-state')
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'recorded-state' }))
    expect(pick(got.Configuration as Record<string, unknown>)).toEqual(
      pick((recording['get-fn-response'] as { Configuration: Record<string, unknown> }).Configuration),
    )
    expect(got.Code?.RepositoryType).toBe('S3')
  })

  it('test_lambda_too_large_response: 6,291,556 bytes is the most a synchronous response may hold', async () => {
    const recording = recorded('TestLambdaBaseFeatures::test_lambda_too_large_response') as Record<
      string,
      Record<string, unknown>
    >
    const expected = recording.invoke_result as { FunctionError: string; Payload: unknown; StatusCode: number }
    expect(JSON.stringify(expected.Payload)).toContain('(6291556 bytes)')
    // A JSON string result: its serialised size is the length plus two quotes.
    await create('recorded-large', 'export const handler = async (event) => "x".repeat(event.size - 2)')
    await active('recorded-large')
    const at = await lambda.send(
      new InvokeCommand({ FunctionName: 'recorded-large', Payload: encoder.encode('{"size":6291556}') }),
    )
    expect(at.FunctionError).toBeUndefined()
    expect(at.Payload?.byteLength).toBe(6291556)
    const over = await lambda.send(
      new InvokeCommand({ FunctionName: 'recorded-large', Payload: encoder.encode('{"size":6291557}') }),
    )
    expect({ FunctionError: over.FunctionError, StatusCode: over.StatusCode }).toEqual({
      FunctionError: expected.FunctionError,
      StatusCode: expected.StatusCode,
    })
    expect(JSON.parse(new TextDecoder().decode(over.Payload))).toEqual(expected.Payload)
  })

  it('test_lambda_handler_exit: a runtime that exits with status 0 "exited without providing a reason"', async () => {
    const recording = recorded('TestLambdaErrors::test_lambda_handler_exit') as Record<string, Record<string, unknown>>
    const expected = recording.invocation_error as { FunctionError: string; Payload: { errorType: string; errorMessage: string } }
    await create('recorded-exit', 'export const handler = async () => { process.exit(0) }')
    await active('recorded-exit')
    const output = await lambda.send(new InvokeCommand({ FunctionName: 'recorded-exit' }))
    expect(output.FunctionError).toBe(expected.FunctionError)
    const requestId = output.$metadata.requestId ?? ''
    expect(JSON.parse(new TextDecoder().decode(output.Payload))).toEqual(
      JSON.parse(fill(JSON.stringify(expected.Payload), { '<uuid>': requestId })),
    )
  })

  it('test_invoke_exceptions: invoking a missing function names its $LATEST ARN', async () => {
    const recording = recorded('TestLambdaFeatures::test_invoke_exceptions')
    const got = await failure(lambda.send(new InvokeCommand({ FunctionName: 'doesnotexist' })))
    expect(got).toEqual(expectedError(recording.invoke_function_doesnotexist))
  })

  it.each([
    ['get_function', (FunctionName: string) => lambda.send(new GetFunctionCommand({ FunctionName }))],
    ['delete_function', (FunctionName: string) => lambda.send(new DeleteFunctionCommand({ FunctionName }))],
    ['get_function_configuration', (FunctionName: string) => lambda.send(new GetFunctionConfigurationCommand({ FunctionName }))],
    ['get_function_url_config', (FunctionName: string) => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName }))],
  ])('test_ops_on_nonexisting_fn[%s]: answers with the recorded not-found error', async (operation, call) => {
    const recording = recorded(`TestLambdaFunction::test_ops_on_nonexisting_fn[${operation}]`)
    expect(await failure(call('recorded-missing'))).toEqual(
      expectedError(recording.not_found_exception, { '<nonexisting-fn-name>': 'recorded-missing' }),
    )
  })

  it('test_lambda_concurrent_config_updates: a configuration update while one is in progress is a 409', async () => {
    const recording = recorded('TestLambdaFunction::test_lambda_concurrent_config_updates')
    await create('recorded-config-updates', 'export const handler = async () => 1')
    await active('recorded-config-updates')
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'recorded-config-updates', Description: 'one' }))
    const got = await failure(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'recorded-config-updates', Description: 'two' })),
    )
    expect(got).toEqual(
      expectedError(recording['update-during-in-progress-update-exc'], { '<function-name:1>': 'recorded-config-updates' }),
    )
  })

  it('test_get_function_wrong_region: an ARN of another region is refused', async () => {
    const other = 'eu-west-3'
    const arn = `arn:aws:lambda:${other}:${emulator.state.options.accountId}:function:recorded-state`
    const values = { '<wrong-region>': other }
    for (const [test, call] of [
      ['get_function', () => lambda.send(new GetFunctionCommand({ FunctionName: arn }))],
      ['invoke', () => lambda.send(new InvokeCommand({ FunctionName: arn }))],
    ] as const) {
      const recording = recorded(`TestLambdaFunction::test_get_function_wrong_region[${test}]`)
      expect(await failure(call())).toEqual(expectedError(recording.wrong_region_exception, values))
    }
  })

  it('test_function_name_and_qualifier_validation: a 65-character name', async () => {
    const name = 'a'.repeat(65)
    const values = { '<a:len(65)>': name }
    const created = recorded(
      'TestLambdaFunction::test_function_name_and_qualifier_validation[function_name_too_long-create_function]',
    ).create_function_exception as { Code: string; Errors: string[] }
    const createError = await failure(create(name, 'export const handler = async () => 1'))
    expect(createError.name).toBe(created.Code)
    expect(createError.message).toBe(`1 validation error detected: ${fill(created.Errors[0] ?? '', values)}`)
    for (const [test, call, key] of [
      ['get_function', () => lambda.send(new GetFunctionCommand({ FunctionName: name })), 'get_function_exception'],
      ['invoke', () => lambda.send(new InvokeCommand({ FunctionName: name })), 'invoke_exception'],
    ] as const) {
      const recording = recorded(
        `TestLambdaFunction::test_function_name_and_qualifier_validation[function_name_too_long-${test}]`,
      )[key] as { Code: string; Message: string }
      const got = await failure(call())
      expect({ name: got.name, message: got.message }).toEqual({ name: recording.Code, message: fill(recording.Message, values) })
    }
  })

  it('test_create_deprecated_function_runtime: the deprecated-runtime text', async () => {
    const recording = recorded(
      'TestRuntimeValidation::test_create_deprecated_function_runtime_with_validation_enabled[nodejs14.x]',
    ).deprecation_error
    const got = await failure(create('recorded-old', 'export const handler = async () => 1', { Runtime: 'nodejs14.x' }))
    expect(got).toEqual(expectedError(recording))
  })

  it('test_lambda_concurrent_code_updates: an update while one is in progress is a 409', async () => {
    const recording = recorded('TestLambdaFunction::test_lambda_concurrent_code_updates')
    await create('recorded-updates', 'export const handler = async () => 1')
    await active('recorded-updates')
    const zip = zipSync({ 'index.mjs': encoder.encode('export const handler = async () => 2') })
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'recorded-updates', ZipFile: zip }))
    const got = await failure(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'recorded-updates', ZipFile: zip })))
    const arn = `arn:aws:lambda:${region}:${emulator.state.options.accountId}:function:recorded-updates`
    expect(got).toEqual(
      expectedError(recording['update-during-in-progress-update-exc'], { '<function-name:1>': 'recorded-updates' }),
    )
    expect(got.message).toContain(arn)
  })

  it.each([
    // Only its size matters: AWS refuses it before looking inside.
    ['test_oversized_zipped_create_lambda: a zip over 50 MiB', 'recorded-big-zip', 52_428_801],
    // Base64 in the JSON body: 52.7 MB of zip is over 70 MB of request.
    ['test_oversized_request_create_lambda: a CreateFunction request over 70,167,211 bytes', 'recorded-huge', 52_700_000],
  ])('%s', async (title, name, bytes) => {
    const recording = recorded(`TestLambdaSizeLimits::${title.split(':')[0]}`).invalid_param_exc
    const got = await failure(lambda.send(new CreateFunctionCommand(zipFunction(name, new Uint8Array(bytes), { Role: ROLE }))))
    expect(got).toEqual(expectedError(recording))
  })

  it('test_lambda_invoke_payload_encoding_error: a payload that is not UTF-8', async () => {
    const recording = recorded(
      'TestLambdaErrors::test_lambda_invoke_payload_encoding_error[body-n\\x87r\\x9e\\xe9\\xb5\\xd7I\\xee\\x9bmt]',
    ).invoke_function_invalid_payload_body as {
      Error: { Code: string; Message: string }
      ResponseMetadata: { HTTPStatusCode: number }
    }
    const payload = new Uint8Array([0x7b, 0x22, 0x87, 0x22, 0x3a, 0x31, 0x7d])
    const got = await failure(lambda.send(new InvokeCommand({ FunctionName: 'recorded-state', Payload: payload })))
    expect({ name: got.name, status: got.status }).toEqual({
      name: recording.Error.Code,
      status: recording.ResponseMetadata.HTTPStatusCode,
    })
    // AWS appends its JSON parser's detail (Jackson's wording); the emulator stops at the common prefix.
    expect(recording.Error.Message.startsWith(got.message)).toBe(true)
  })

  it('test_lambda_url_invocation: what a function URL answers for each kind of result', async () => {
    // The recorded handler is Python; these are the same values in JavaScript.
    const results: Record<string, string> = {
      dict: '{ hello: "world" }',
      'list-mixed': '["hello", 3, true]',
      string: '"hello"',
      integer: '3',
      float: '3.1',
      boolean: 'true',
    }
    for (const [kind, value] of Object.entries(results)) {
      const recording = recorded(`TestLambdaURL::test_lambda_url_invocation[${kind}]`).lambda_url_invocation as {
        content: unknown
        headers: Record<string, string>
        statuscode: number
      }
      const name = `recorded-url-${kind}`
      await create(name, `export const handler = async () => (${value})`)
      const { FunctionUrl } = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }))
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'urlPermission',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      )
      await active(name)
      const response = await fetch(`${FunctionUrl}custom_path/extend?test_param=test_value`, {
        method: 'POST',
        body: "{'key':'value'}",
      })
      const text = await response.text()
      const content = typeof recording.content === 'string' ? recording.content : JSON.stringify(recording.content)
      expect({
        kind,
        status: response.status,
        type: response.headers.get('content-type'),
        length: Buffer.byteLength(text),
        text,
      }).toEqual({
        kind,
        status: recording.statuscode,
        type: recording.headers['Content-Type'],
        length: Number(recording.headers['Content-Length']),
        text: content,
      })
    }
  })

  it("test_lambda_url_persists_after_alias_delete: a refused URL call is 403 AccessDeniedException with AWS's text", async () => {
    const recording = recorded('TestLambdaURL::test_lambda_url_persists_after_alias_delete')
      .invoke_deleted_alias_url_response_delayed as {
      content: unknown
      headers: Record<string, string>
      status_code: number
    }
    await create('recorded-url-private', 'export const handler = async () => "never"')
    const { FunctionUrl } = await lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'recorded-url-private', AuthType: 'NONE' }),
    )
    // No resource policy lets anyone call it.
    const response = await fetch(FunctionUrl ?? '')
    expect({ status: response.status, type: response.headers.get('x-amzn-ErrorType'), body: await response.json() }).toEqual({
      status: recording.status_code,
      type: recording.headers['x-amzn-ErrorType'],
      body: recording.content,
    })
  })
})

describe('function URL answers without a recording', () => {
  it('answers a function error with 502 and the plain text "Internal Server Error" (what callers report)', async () => {
    await create('url-crash', 'export const handler = async () => { throw new Error("boom") }')
    const { FunctionUrl } = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-crash', AuthType: 'NONE' }))
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'url-crash',
        StatementId: 'url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    )
    await active('url-crash')
    const response = await fetch(FunctionUrl ?? '')
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 502, body: 'Internal Server Error' })
  })
})

describe('logs of invocations that end without an answer', () => {
  // Lambda keeps what the function wrote before it timed out or its runtime exited
  // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html shows a timed-out invocation's log).
  it("keeps a timed-out invocation's own lines and those of a runtime that exits", async () => {
    await create(
      'logs-timeout',
      'export const handler = async () => { console.log("before the wait"); await new Promise(() => setInterval(() => {}, 1000)) }',
      {
        Timeout: 1,
      },
    )
    await create('logs-exit', 'export const handler = async () => { console.log("before the exit"); process.exit(3) }')
    await active('logs-timeout')
    await active('logs-exit')
    const tail = async (name: string) => {
      const output = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }))
      return { requestId: output.$metadata.requestId, log: Buffer.from(output.LogResult ?? '', 'base64').toString('utf8') }
    }
    const timedOut = await tail('logs-timeout')
    expect(timedOut.log).toContain(`\t${timedOut.requestId}\tINFO\tbefore the wait\n`)
    expect(timedOut.log).toContain(`${timedOut.requestId} Task timed out after 1.00 seconds\n`)
    const exited = await tail('logs-exit')
    expect(exited.log).toContain(`\t${exited.requestId}\tINFO\tbefore the exit\n`)
  })
})
