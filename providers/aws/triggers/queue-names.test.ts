import { createCloud } from 'cloudfn'
import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'
import { aws, createAwsProvider } from '../index.ts'

const region = 'eu-west-1'
// SQS keeps a deleted queue's name for 60 s; 150 ms here.
const emulator = createAwsEmulator({ region, stateDelayMs: 5, updateDelayMs: 5, queueRetryDelayMs: 5, queueDeletedWindowMs: 150 })
emulator.listen()
afterAll(() => emulator.close())
const { state } = emulator
const settings = { region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2 }
// Retry-After asks for 60 s; the client waits at most six times maxDelayMs (here 300 ms).
const cloud = aws({ ...settings, retry: { baseDelayMs: 1, maxDelayMs: 50, maxAttempts: 5 } })
let counter = 0
const unique = (base: string) => `${base}-${++counter}`
const calls = (operation: string) => state.requestsByOperation.get(operation) ?? 0

describe('aws queue names', () => {
  it('waits out a queue name SQS deleted less than a minute ago when a function is removed and deployed again', async () => {
    const name = unique('again')
    await cloud.deploy(worker, { name })
    await cloud.remove(name)
    const strict = createCloud(createAwsProvider(settings), { retry: { maxAttempts: 1 } })
    expect(await caughtError(strict.deploy(worker, { name }))).toMatchObject({
      code: 'Conflict',
      isRetryable: true,
      retryAfterMs: 60_000,
    })
    // The function is there from that attempt; retrying finishes the deploy once the name is free.
    const before = calls('CreateQueue')
    expect((await cloud.deploy(worker, { name })).status).toBe('updated')
    // At least one refusal, then the queue and its dead-letter queue.
    expect(calls('CreateQueue') - before).toBeGreaterThan(2)
    expect(state.queues.has(name)).toBe(true)
    await cloud.remove(name)
  })
})
