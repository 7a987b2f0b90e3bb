import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { emulatorForFile, sdkError, zipFunction } from '../__fixtures__/emulator.ts'

const region = 'us-west-2'
// Lambda's state delays and IAM's propagation last an hour here and the test ends them itself (settleNow,
// rolesReady): no step of a test, however slow the machine, can outrun a window.
const HOUR = 3_600_000
const { emulator, clientConfig } = emulatorForFile({ region, stateDelayMs: HOUR, updateDelayMs: HOUR, roleDelayMs: HOUR })
const { state, faults } = emulator
const lambda = new LambdaClient(clientConfig)
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A Lambda zip written by hand, so the contract is tested without cloudfn's packaging or shim. */
function zipOf(code: string, file = 'index.mjs'): Uint8Array {
  return zipSync({ [file]: encoder.encode(code) })
}

const CONTEXT_HANDLER = zipOf(`
console.log('init line')
export const handler = async (event, context) => {
  console.log('handling', JSON.stringify(event))
  return {
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    memory: context.memoryLimitInMB,
    remaining: context.getRemainingTimeInMillis(),
    region: process.env.AWS_REGION,
    mode: process.env.MODE ?? null,
    version: 1,
  }
}`)

/** Ends every pending create and update now, as Lambda does once its delay has passed. */
const settleNow = () => {
  for (const fn of emulator.state.functions.values()) {
    fn.activeAt = 0
    fn.updatedAt = 0
  }
}
/** Makes every role assumable now, as IAM does once the role has propagated. */
const rolesReady = () => {
  for (const role of emulator.state.roles.values()) role.assumableAt = 0
}

async function create(name: string, zip = CONTEXT_HANDLER, extra: Record<string, unknown> = {}) {
  return lambda.send(new CreateFunctionCommand(zipFunction(name, zip, extra)))
}

async function invoke(name: string, payload: unknown, extra: Record<string, unknown> = {}) {
  const output = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: encoder.encode(JSON.stringify(payload)), ...extra }),
  )
  return { ...output, body: output.Payload ? decoder.decode(output.Payload) : '' }
}

describe('aws emulator: msw setup', () => {
  it('fails a request nothing handles instead of letting it reach the network', async () => {
    // A network error, never an answer a client could take for the cloud's (not even msw's own 500).
    const refused = async (url: string) =>
      fetch(url).then(
        (response) => `${response.status} ${response.statusText}`,
        () => 'network error',
      )
    expect(await refused('https://example.com/')).toBe('network error')
    expect(await refused('https://lambda.eu-north-1.amazonaws.com/2015-03-31/functions')).toBe('network error')
  })

  it('requires a SigV4 signature and counts every request', async () => {
    const before = state.requestCount
    const response = await fetch(`https://lambda.${region}.amazonaws.com/2015-03-31/functions`)
    expect(response.status).toBe(403)
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(state.requestCount).toBe(before + 1)
  })
})

describe('aws emulator: control plane', () => {
  it('creates Pending, becomes Active after the delay, and refuses invokes until then', async () => {
    const created = await create('lifecycle', CONTEXT_HANDLER, { Environment: { Variables: { MODE: 'm' } } })
    expect(created).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating', Version: '$LATEST' })
    expect(created.LastUpdateStatus).toBeUndefined()
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)
    const early = await sdkError(invoke('lifecycle', {}))
    expect(early).toMatchObject({ name: 'ResourceConflictException', $metadata: { httpStatusCode: 409 } })
    settleNow()
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'lifecycle' }))
    expect(got.Configuration).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', MemorySize: 128, Timeout: 3 })
    const duplicate = await sdkError(create('lifecycle'))
    expect(duplicate).toMatchObject({ name: 'ResourceConflictException', message: 'Function already exist: lifecycle' })
  })

  it("answers a missing function with Lambda's 404 (capital-M Message)", async () => {
    const response = await fetch(`https://lambda.${region}.amazonaws.com/2015-03-31/functions/nope`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' },
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(await response.json()).toEqual({
      Type: 'User',
      Message: `Function not found: arn:aws:lambda:${region}:123456789012:function:nope`,
    })
  })

  it.each([
    [{ FunctionName: 'bad name' }, 'ValidationException', /functionName/],
    // Recorded from AWS (recorded-aws.test.ts): a well-formed name that is too long is InvalidParameterValueException.
    [{ FunctionName: 'x'.repeat(65) }, 'InvalidParameterValueException', /length less than or equal to 64/],
    [{ MemorySize: 64 }, 'ValidationException', /greater than or equal to 128/],
    [{ MemorySize: 10241 }, 'ValidationException', /less than or equal to 10240/],
    [{ Timeout: 901 }, 'ValidationException', /less than or equal to 900/],
    [{ Runtime: 'nodejs12.x' }, 'InvalidParameterValueException', /no longer supported/],
    [{ Environment: { Variables: { AWS_REGION: 'x' } } }, 'InvalidParameterValueException', /reserved keys/],
    [{ Environment: { Variables: { BIG: 'x'.repeat(4100) } } }, 'InvalidParameterValueException', /4KB limit/],
    [{ Code: { ZipFile: encoder.encode('not a zip') } }, 'InvalidParameterValueException', /Could not unzip/],
    [{ Role: 'not-an-arn' }, 'ValidationException', /role/],
  ])('rejects %o with %s', async (override, type, message) => {
    const before = state.functions.size
    const error = await sdkError(create('invalid', CONTEXT_HANDLER, override))
    expect(error.name).toBe(type)
    expect(error.message).toMatch(message)
    expect(state.functions.size).toBe(before)
  })

  it('pages ListFunctions with MaxItems and NextMarker', async () => {
    await Promise.all(['page-a', 'page-b', 'page-c'].map((name) => create(name)))
    const names: string[] = []
    let marker: string | undefined
    let pages = 0
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }))
      names.push(...(page.Functions ?? []).map((fn) => fn.FunctionName ?? ''))
      marker = page.NextMarker
      pages++
    } while (marker)
    expect(names.filter((name) => name.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c'])
    expect(pages).toBeGreaterThan(1)
  })

  it('runs the old code while an update is InProgress and refuses a second update meanwhile', async () => {
    await create('updating')
    settleNow()
    const v2 = zipOf(`export const handler = async () => ({ version: 2 })`)
    const updating = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'updating', ZipFile: v2 }))
    expect(updating.LastUpdateStatus).toBe('InProgress')
    const conflict = await sdkError(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'updating', ZipFile: v2 })))
    expect(conflict).toMatchObject({ name: 'ResourceConflictException', $metadata: { httpStatusCode: 409 } })
    expect(conflict.message).toMatch(/An update is in progress for resource/)
    expect(JSON.parse((await invoke('updating', {})).body).version).toBe(1)
    settleNow()
    expect(JSON.parse((await invoke('updating', {})).body)).toEqual({ version: 2 })
  })

  it('refuses a role created moments ago, as IAM propagation does', async () => {
    const iam = new IAMClient(clientConfig)
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'fresh', AssumeRolePolicyDocument: '{}' }))
    const early = await sdkError(create('fresh-role', CONTEXT_HANDLER, { Role: Role?.Arn }))
    expect(early).toMatchObject({ name: 'InvalidParameterValueException' })
    expect(early.message).toBe('The role defined for the function cannot be assumed by Lambda.')
    rolesReady()
    expect((await create('fresh-role', CONTEXT_HANDLER, { Role: Role?.Arn })).State).toBe('Pending')
  })
})

describe('aws emulator: invoke', () => {
  it("calls handler(event, context) with Lambda's context and environment, and tails the log", async () => {
    await create('contract', CONTEXT_HANDLER, { MemorySize: 256, Environment: { Variables: { MODE: 'fast' } } })
    settleNow()
    const before = state.executions.get('contract') ?? 0
    const output = await invoke('contract', { hello: 'wörld' }, { LogType: 'Tail' })
    const body = JSON.parse(output.body)
    expect(body).toMatchObject({ event: { hello: 'wörld' }, functionName: 'contract', memory: '256', region, mode: 'fast' })
    expect(body.requestId).toBe(output.$metadata.requestId)
    // Counted down from the 3 s timeout (how much is left depends on the machine's speed).
    expect(body.remaining).toBeGreaterThan(0)
    expect(body.remaining).toBeLessThanOrEqual(3000)
    expect(output).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' })
    expect(output.FunctionError).toBeUndefined()
    const log = Buffer.from(output.LogResult ?? '', 'base64').toString('utf8')
    expect(log).toMatch(new RegExp(`^START RequestId: ${body.requestId} Version: \\$LATEST\\n`))
    // console lines carry the time, the request id ("undefined" during init on nodejs22.x) and the level, as aws-lambda-ric writes them.
    expect(log).toMatch(
      new RegExp(`\\dZ\\tundefined\\tINFO\\tinit line\\n[^\\n]*Z\\t${body.requestId}\\tINFO\\thandling {"hello":"wörld"}\\n`),
    )
    expect(log).toMatch(
      /END RequestId: .*\nREPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$/,
    )
    const warm = await invoke('contract', {}, { LogType: 'Tail' })
    expect(Buffer.from(warm.LogResult ?? '', 'base64').toString()).not.toContain('Init Duration')
    expect(state.executions.get('contract')).toBe(before + 2)
  })

  it('keeps only the last 4 KB of the log in X-Amz-Log-Result, and everything in CloudWatch Logs', async () => {
    await create(
      'noisy',
      zipOf(`export const handler = async () => { for (let i = 0; i < 500; i++) console.log('noise ' + i); return 1 }`),
    )
    settleNow()
    const output = await invoke('noisy', {}, { LogType: 'Tail' })
    const tail = Buffer.from(output.LogResult ?? '', 'base64')
    expect(tail.byteLength).toBeLessThanOrEqual(4096)
    expect(tail.toString()).toMatch(/REPORT RequestId/)
    const logs = new CloudWatchLogsClient(clientConfig)
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/noisy' }))
    const messages = (events.events ?? []).map((event) => event.message?.split('\t').slice(2).join('\t'))
    expect(messages).toContain('INFO\tnoise 0\n')
    expect(messages).toContain('INFO\tnoise 499\n')
    const missing = await sdkError(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/none' })))
    expect(missing.name).toBe('ResourceNotFoundException')
  })

  it('answers errors, timeouts and oversized responses as Lambda does: 200 with X-Amz-Function-Error', async () => {
    // The sleep lasts a minute against the 1 s timeout: no pause of a loaded machine lets it answer first.
    const code = zipOf(`export const handler = async (event) => {
      if (event.kind === 'throw') { const e = new RangeError('bad range'); throw e }
      if (event.kind === 'sleep') await new Promise((r) => setTimeout(r, 60000))
      if (event.kind === 'big') return 'x'.repeat(6291556 - 1)
      return 'ok'
    }`)
    await create('failing', code, { Timeout: 1 })
    settleNow()
    const thrown = await invoke('failing', { kind: 'throw' })
    expect(thrown).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' })
    expect(JSON.parse(thrown.body)).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'bad range',
      trace: expect.any(Array),
    })
    const timedOut = await invoke('failing', { kind: 'sleep' })
    expect(JSON.parse(timedOut.body)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
    })
    const big = await invoke('failing', { kind: 'big' })
    expect(big.FunctionError).toBe('Unhandled')
    expect(JSON.parse(big.body).errorType).toBe('Function.ResponseSizeTooLarge')
  })

  it('enforces the request limits: 6 MB synchronous, 1 MB asynchronous', async () => {
    await create('limits', zipOf('export const handler = async (e) => e.length'))
    settleNow()
    const justFits = 'x'.repeat(6 * 1024 * 1024 - 2)
    expect((await invoke('limits', justFits)).body).toBe(String(justFits.length))
    const tooBig = await sdkError(invoke('limits', `${justFits}x`))
    expect(tooBig).toMatchObject({ name: 'RequestTooLargeException', $metadata: { httpStatusCode: 413 } })
    const asyncTooBig = await sdkError(invoke('limits', 'x'.repeat(1024 * 1024), { InvocationType: 'Event' }))
    expect(asyncTooBig.name).toBe('RequestTooLargeException')
    const queued = await invoke('limits', 'small', { InvocationType: 'Event' })
    expect(queued.StatusCode).toBe(202)
    expect((await invoke('limits', 'dry', { InvocationType: 'DryRun' })).StatusCode).toBe(204)
  })

  it('supports callback-style handlers and reports a missing handler export', async () => {
    await create('callback', zipOf('exports.handler = (event, context, callback) => callback(null, { cb: event })', 'index.js'))
    await create('no-export', zipOf('export const other = () => 1'))
    settleNow()
    // A .js file in a zip without package.json is CommonJS, as on Lambda.
    expect(JSON.parse((await invoke('callback', 5)).body)).toEqual({ cb: 5 })
    const missing = await invoke('no-export', {})
    expect(JSON.parse(missing.body)).toMatchObject({ errorType: 'Runtime.HandlerNotFound' })
  })
})

describe('aws emulator: write count', () => {
  it('counts requests whose operation is not a read (Get, List, Describe) as writes', async () => {
    const writes = state.writeCount
    await lambda.send(new ListFunctionsCommand({}))
    await sdkError(lambda.send(new GetFunctionCommand({ FunctionName: 'absent' })))
    expect(state.writeCount).toBe(writes)
    await sdkError(lambda.send(new DeleteFunctionCommand({ FunctionName: 'absent' })))
    expect(state.writeCount).toBe(writes + 1)
  })
})

describe('aws emulator: faults', () => {
  it('throttles with Retry-After, fails with 5xx and resets connections on demand, once each', async () => {
    faults.inject({ on: 'ListFunctions', kind: 'throttle', retryAfterSec: 7 })
    const throttled = await sdkError(lambda.send(new ListFunctionsCommand({})))
    expect(throttled).toMatchObject({
      name: 'TooManyRequestsException',
      retryAfterSeconds: '7',
      $metadata: { httpStatusCode: 429 },
    })
    faults.inject({ on: 'ListFunctions', kind: 'server-error', status: 503 })
    const broken = await sdkError(lambda.send(new ListFunctionsCommand({})))
    expect(broken).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } })
    faults.inject({ on: 'ListFunctions', kind: 'reset' })
    const reset = await sdkError(lambda.send(new ListFunctionsCommand({})))
    expect(reset.$metadata).toMatchObject({ attempts: 1 })
    expect((reset.$metadata as { httpStatusCode?: number }).httpStatusCode).toBeUndefined()
    // Once the injected faults are used up, the same call answers normally again.
    const recovered = await lambda.send(new ListFunctionsCommand({}))
    expect(recovered.$metadata.httpStatusCode).toBe(200)
    expect(Array.isArray(recovered.Functions)).toBe(true)
    expect(faults.pending).toEqual([])
  })

  it('targets a fault at one function and counts down its times', async () => {
    faults.inject({ on: 'GetFunction', kind: 'update-in-progress', functionName: 'lifecycle', times: 2 })
    expect(await sdkError(lambda.send(new GetFunctionCommand({ FunctionName: 'lifecycle' })))).toMatchObject({
      name: 'ResourceConflictException',
    })
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'contract' }))).Configuration?.FunctionName).toBe('contract')
    expect(faults.pending).toEqual([expect.objectContaining({ functionName: 'lifecycle', times: 1 })])
    faults.clear()
    expect(faults.pending).toEqual([])
  })
})
