import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda'
import { type FunctionDefinition, withOverrides } from 'cloudfn'
import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { versionOne, versionTwo } from '../../conformance/fixtures/functions.ts'
import { gated, newGate } from '../../conformance/fixtures/recorders.ts'
import { expectRefusedBeyondCeiling } from '../../test/fixtures/ceiling.ts'
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
/** What an operator does by hand (the console, the CLI): a reservation cloudfn did not set. */
const reserveByHand = (name: string, value: number) =>
  lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: value }))
const planned = async (definition: Parameters<typeof cloud.plan>[0], name: string) =>
  (await cloud.plan(definition, { name })).changes.map((change) => `${change.kind} ${change.resource}: ${change.detail}`)

/** A deploy that stops after CreateFunction: the function and its config hash exist, its reservation does not. */
async function crashBeforeReservation<I, O>(definition: FunctionDefinition<I, O>, name: string): Promise<void> {
  // Every attempt at the reservation fails (the SDK-level retries included).
  emulator.faults.inject({ on: 'PutFunctionConcurrency', kind: 'server-error', times: 1000, functionName: name })
  await expect(cloud.deploy(definition, { name })).rejects.toMatchObject({ code: 'ProviderError' })
  emulator.faults.clear()
  expect(await reserved(name)).toBeUndefined()
}

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
    await expectRefusedBeyondCeiling(fn, gate, held)
    expect(state.executions.get('reserved')).toBe(1)

    // Only the scale changed: an update that raises the reservation; then removing the setting removes it.
    const raised = await cloud.deploy(withOverrides(gated, { maxInstances: 3 }), { name: 'reserved' })
    expect(raised.status).toBe('updated')
    expect(await reserved('reserved')).toBe(3)
    const puts = calls('PutFunctionConcurrency')
    expect((await cloud.deploy(withOverrides(gated, { maxInstances: 3 }), { name: 'reserved' })).status).toBe('unchanged')
    expect(calls('PutFunctionConcurrency')).toBe(puts)
    // The plan names the removal of cloudfn's own reservation, as an update-scale change.
    expect(await planned(gated, 'reserved')).toEqual([
      'update-config function:reserved: environment values or provider options',
      'update-scale function:reserved: remove reserved concurrency 3',
    ])
    await cloud.deploy(gated, { name: 'reserved' })
    expect(await reserved('reserved')).toBeUndefined()
    expect(await planned(gated, 'reserved')).toEqual([])
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
    await crashBeforeReservation(withOverrides(gated, { maxInstances: 2 }), 'half')
    // The plan reads what the deploy reads, so it names the missing reservation.
    expect((await cloud.plan(withOverrides(gated, { maxInstances: 2 }), { name: 'half' })).changes).toEqual([
      { kind: 'update-scale', resource: 'function:half', detail: 'reserved concurrency 2' },
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

  it('leaves a reservation set by hand (0, the emergency stop) through redeploys without maxInstances', async () => {
    const fn = await cloud.deploy(gated, { name: 'stopped' })
    await reserveByHand('stopped', 0)
    const changed = withOverrides(gated, { env: { MODE: 'new' } })
    expect(await planned(changed, 'stopped')).toEqual(['update-config function:stopped: env +MODE'])
    const deletes = calls('DeleteFunctionConcurrency')
    expect((await cloud.deploy(changed, { name: 'stopped' })).status).toBe('updated')
    expect(calls('DeleteFunctionConcurrency')).toBe(deletes)
    expect(await reserved('stopped')).toBe(0)
    await fn.remove()
  })

  it('refuses to replace a reservation it did not set, and leaves one changed by hand when maxInstances goes', async () => {
    const fn = await cloud.deploy(gated, { name: 'foreign' })
    await reserveByHand('foreign', 0)
    const ceiling = withOverrides(gated, { maxInstances: 2 })
    const puts = calls('PutFunctionConcurrency')
    const refused = await caughtError(cloud.deploy(ceiling, { name: 'foreign' }))
    expect(refused).toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(refused.message).toContain("'foreign' has reserved concurrency 0, which cloudfn did not set")
    expect((await caughtError(cloud.plan(ceiling, { name: 'foreign' }))).message).toBe(refused.message)
    expect(calls('PutFunctionConcurrency')).toBe(puts)
    expect(await reserved('foreign')).toBe(0)

    // cloudfn's own reservation, then changed by hand: dropping maxInstances leaves the operator's value, and says so.
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'foreign' }))
    await cloud.deploy(ceiling, { name: 'foreign' })
    expect(await reserved('foreign')).toBe(2)
    await reserveByHand('foreign', 0)
    const dropped = await cloud.deploy(gated, { name: 'foreign' })
    expect(dropped.warnings).toEqual([
      {
        setting: 'maxInstances',
        message: "reserved concurrency 0 on 'foreign' was not set by cloudfn (it set 2); left in place",
      },
    ])
    expect(await reserved('foreign')).toBe(0)
    await fn.remove()
  })

  it('sets a reservation a crashed deploy left out when the next deploy changes only the code', async () => {
    await crashBeforeReservation(withOverrides(versionOne, { maxInstances: 2 }), 'crashed')
    const next = withOverrides(versionTwo, { maxInstances: 2 })
    expect(await planned(next, 'crashed')).toEqual([
      'update-code function:crashed: new code',
      'update-scale function:crashed: reserved concurrency 2',
    ])
    const again = await cloud.deploy(next, { name: 'crashed' })
    expect(again.status).toBe('updated')
    expect(await reserved('crashed')).toBe(2)
    expect(await again.invoke(null)).toMatchObject({ version: 2 })
    await again.remove()
  })
})
