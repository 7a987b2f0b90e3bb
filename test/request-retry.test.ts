/**
 * Each request of a multi-request operation is retried on its own: with the
 * operation-level policy at one attempt, a deploy whose requests each meet a
 * transient fault (ARM, Kudu's OneDeploy upload and status, the app's
 * createOrUpdate polls; Lambda, IAM, SQS) still succeeds, and a synchronous
 * Lambda invoke is never repeated.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../conformance/expect.ts'
import { echo, worker } from '../conformance/fixtures/functions.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../providers/aws/emulator/index.ts'
import { createAwsProvider } from '../providers/aws/index.ts'
import { createCloud } from '../src/client.ts'
import { isTransientStatus, REQUEST_RETRY_POLICY, retryRequest } from '../src/retry.ts'

const noSleep = async () => {}

describe('retryRequest', () => {
  it('sends a request again while its answer is transient, and returns the last answer when attempts run out', async () => {
    const statuses = [503, 429, 200]
    let sent = 0
    const answer = await retryRequest(async () => ({ status: statuses[sent++] ?? 0 }), {
      retryable: () => true,
      retryableAnswer: (response) => isTransientStatus(response.status),
      sleep: noSleep,
    })
    expect([answer.status, sent]).toEqual([200, 3])
    sent = 0
    const last = await retryRequest(async () => ({ status: 500, n: ++sent }), {
      retryable: () => true,
      retryableAnswer: (response) => isTransientStatus(response.status),
      sleep: noSleep,
    })
    expect(last).toEqual({ status: 500, n: REQUEST_RETRY_POLICY.maxAttempts })
  })

  it('throws at once what is not transient, and leaves a long Retry-After to the operation', async () => {
    let sent = 0
    const permanent = new Error('permanent')
    const notRetryable = () => {
      sent += 1
      return false
    }
    await expect(retryRequest(async () => Promise.reject(permanent), { retryable: notRetryable })).rejects.toBe(permanent)
    expect(sent).toBe(1)
    sent = 0
    const slow = await retryRequest(async () => ({ status: 429, n: ++sent }), {
      retryable: () => true,
      retryableAnswer: () => true,
      retryAfterMs: () => 5_000,
      sleep: noSleep,
    })
    expect(slow).toEqual({ status: 429, n: 1 })
    expect(isTransientStatus(501)).toBe(false)
    expect(isTransientStatus(404)).toBe(false)
  })
})

describe('request-level retries on aws', () => {
  const region = 'eu-west-1'
  const emulator = createAwsEmulator({ region, stateDelayMs: 1, updateDelayMs: 1, queueRetryDelayMs: 5 })
  emulator.listen()
  afterAll(() => emulator.close())
  const settings = { region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2 }
  const strict = createCloud(createAwsProvider(settings), { retry: { maxAttempts: 1 } })

  it('deploys through transient faults on Lambda, IAM and SQS calls, and never repeats a synchronous invoke', async () => {
    const { faults, state } = emulator
    for (const operation of [
      'CreateRole',
      'CreateFunction',
      'GetFunctionConfiguration',
      'CreateQueue',
      'CreateEventSourceMapping',
    ])
      faults.inject({ on: operation, kind: 'server-error', times: REQUEST_RETRY_POLICY.maxAttempts - 1 })
    const fn = await strict.deploy(worker, { name: 'request-retry' })
    expect(fn.trigger?.kind).toBe('queue')
    const plain = await strict.deploy(echo, { name: 'request-retry-invoke' })
    faults.inject({ on: 'Invoke', kind: 'server-error', status: 502 })
    const before = state.requestsByOperation.get('Invoke') ?? 0
    expect(await caughtError(plain.invoke(1))).toMatchObject({ code: 'ProviderError', status: 502 })
    expect((state.requestsByOperation.get('Invoke') ?? 0) - before).toBe(1)
    await fn.remove()
    await plain.remove()
  })
})
