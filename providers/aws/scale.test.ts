import { GetFunctionCommand, InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda'
import { type CloudfnError, withOverrides } from 'cloudfn'
import { afterAll, describe, expect, it } from 'vitest'
import { gated, newGate } from '../../conformance/fixtures/recorders.ts'
import { createAwsEmulator } from './emulator/index.ts'
import { aws } from './index.ts'

const region = 'eu-west-1'
const emulator = createAwsEmulator({ region, stateDelayMs: 5, updateDelayMs: 5 })
emulator.listen()
afterAll(() => emulator.close())
const { state } = emulator

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLEKEY' }
const settings = { region, credentials, pollIntervalMs: 2 }
// One attempt: a throttled call is reported, not retried until the gate opens.
const cloud = aws({ ...settings, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 5 } })
const lambda = new LambdaClient({ region, credentials, maxAttempts: 1 })
const reserved = async (name: string) =>
  (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Concurrency?.ReservedConcurrentExecutions
const calls = (operation: string) => state.requestsByOperation.get(operation) ?? 0

async function untilRunning(name: string, count: number): Promise<void> {
  while ((state.executions.get(name) ?? 0) < count) await new Promise((resolve) => setTimeout(resolve, 2))
}

describe('aws: maxInstances is reserved concurrency', () => {
  it('reserves it, throttles beyond it with Lambda’s reason, and follows redeploys', async () => {
    const fn = await cloud.deploy(withOverrides(gated, { maxInstances: 1 }), { name: 'reserved' })
    expect(await reserved('reserved')).toBe(1)
    const gate = newGate()
    const held = fn.invoke({ gate: gate.path, tag: 'a' })
    await untilRunning('reserved', 1)
    // The wire answer, read with the SDK itself: 429 TooManyRequestsException, the reservation's Reason.
    const wire = await lambda
      .send(new InvokeCommand({ FunctionName: 'reserved', Payload: Buffer.from('{}') }))
      .catch((error: unknown) => error)
    expect(wire).toBeInstanceOf(TooManyRequestsException)
    expect(wire).toMatchObject({
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      $metadata: { httpStatusCode: 429 },
    })
    // Through cloudfn: the neutral Throttled, retryable.
    const refused = await fn.invoke({ gate: gate.path, tag: 'b' }).catch((error: CloudfnError) => error)
    expect(refused).toMatchObject({
      code: 'Throttled',
      isRetryable: true,
      message: expect.stringContaining('raise maxInstances'),
    })
    gate.open()
    expect(await held).toBe('a')
    expect(state.executions.get('reserved')).toBe(1)

    // Only the scale changed: an update that raises the reservation; then removing the setting removes it.
    const raised = await cloud.deploy(withOverrides(gated, { maxInstances: 3 }), { name: 'reserved' })
    expect(raised.status).toBe('updated')
    expect(await reserved('reserved')).toBe(3)
    const puts = calls('PutFunctionConcurrency')
    expect((await cloud.deploy(withOverrides(gated, { maxInstances: 3 }), { name: 'reserved' })).status).toBe('unchanged')
    expect(calls('PutFunctionConcurrency')).toBe(puts)
    await cloud.deploy(gated, { name: 'reserved' })
    expect(await reserved('reserved')).toBeUndefined()
    await fn.remove()
  })

  it('warns that minInstances is not honoured (provisioned concurrency needs a published version)', async () => {
    const before = calls('PutProvisionedConcurrencyConfig')
    const fn = await cloud.deploy(withOverrides(gated, { maxInstances: 2, minInstances: 1 }), { name: 'warm' })
    expect(fn.warnings).toEqual([{ setting: 'minInstances', message: 'aws cannot honour minInstances; it was not set' }])
    expect(calls('PutProvisionedConcurrencyConfig')).toBe(before)
    expect(await reserved('warm')).toBe(2)
    await fn.remove()
  })

  it('a deploy that failed before its reservation was set sets it on the next deploy', async () => {
    // Every attempt at the reservation fails (the SDK-level retries included): the function exists, its config hash too.
    emulator.faults.inject({ on: 'PutFunctionConcurrency', kind: 'server-error', times: 1000, functionName: 'half' })
    await expect(cloud.deploy(withOverrides(gated, { maxInstances: 2 }), { name: 'half' })).rejects.toMatchObject({
      code: 'ProviderError',
    })
    emulator.faults.clear()
    expect(await reserved('half')).toBeUndefined()
    // The plan reads what the deploy reads, so it names the missing reservation.
    expect((await cloud.plan(withOverrides(gated, { maxInstances: 2 }), { name: 'half' })).changes).toEqual([
      { kind: 'update-config', resource: 'function:half', detail: 'reserved concurrency 2' },
    ])
    const again = await cloud.deploy(withOverrides(gated, { maxInstances: 2 }), { name: 'half' })
    expect(again.status).toBe('updated')
    expect(await reserved('half')).toBe(2)
    expect((await cloud.deploy(withOverrides(gated, { maxInstances: 2 }), { name: 'half' })).status).toBe('unchanged')
    await again.remove()
  })

  it('the emulator refuses a negative reservation as Lambda’s model does', async () => {
    const fn = await cloud.deploy(gated, { name: 'negative' })
    const { PutFunctionConcurrencyCommand } = await import('@aws-sdk/client-lambda')
    const error = await lambda
      .send(new PutFunctionConcurrencyCommand({ FunctionName: 'negative', ReservedConcurrentExecutions: -1 }))
      .catch((thrown: unknown) => thrown)
    expect(error).toMatchObject({ name: 'ValidationException' })
    await fn.remove()
  })
})
