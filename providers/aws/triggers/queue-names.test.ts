import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { withOverrides } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { emulatorForFile } from '../__fixtures__/emulator.ts'

const region = 'eu-west-1'
// SQS keeps a deleted queue's name for 60 s, as here: the test frees it itself when it wants (no wall-clock window).
const emulated = emulatorForFile({
  region,
  stateDelayMs: 5,
  updateDelayMs: 5,
  queueRetryDelayMs: 5,
  queueDeletedWindowMs: 60_000,
})
const { state } = emulated.emulator
// Retry-After asks for 60 s; the client waits at most six times maxDelayMs (here 600 ms).
const cloud = emulated.cloud({ maxDelayMs: 100, maxAttempts: 5 })
let counter = 0
const unique = (base: string) => `${base}-${++counter}`
const calls = (operation: string) => state.requestsByOperation.get(operation) ?? 0

describe('aws queue names', () => {
  it('waits out a queue name SQS deleted less than a minute ago when a function is removed and deployed again', async () => {
    const name = unique('again')
    await cloud.deploy(worker, { name })
    await cloud.remove(name)
    const strict = emulated.cloud({ maxAttempts: 1 })
    expect(await caughtError(strict.deploy(worker, { name }))).toMatchObject({
      code: 'Conflict',
      isRetryable: true,
      retryAfterMs: 60_000,
    })
    // The function is there from that attempt; retrying finishes the deploy once the name is free.
    const before = calls('CreateQueue')
    // Retries until the name is free, however long the machine takes to get there (the test's timeout is the guard).
    const patient = emulated.cloud({ maxDelayMs: 20, maxAttempts: 100 })
    const deploying = patient.deploy(worker, { name })
    // The name frees up once the deploy has been refused at least once (SQS: 60 s after the delete).
    while (calls('CreateQueue') === before) await new Promise((resolve) => setTimeout(resolve, 1))
    for (const queue of [...state.deletedQueues.keys()]) if (queue.startsWith(name)) state.deletedQueues.delete(queue)
    expect((await deploying).status).toBe('updated')
    // At least one refusal, then the queue and its dead-letter queue.
    expect(calls('CreateQueue') - before).toBeGreaterThan(2)
    expect(state.queues.has(name)).toBe(true)
    await cloud.remove(name)
  })

  it("refuses to deploy a function on another function's queue (or dead-letter queue) before changing anything", async () => {
    const [owner, other] = [unique('owner'), unique('other')]
    const jobs = unique('jobs')
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: jobs }) }), { name: owner })
    const writes = ['CreateFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'CreateQueue', 'SetQueueAttributes']
    const count = () => writes.reduce((sum, op) => sum + calls(op), 0)
    const before = count()
    const error = await caughtError(cloud.deploy(withOverrides(worker, { trigger: queue({ name: jobs }) }), { name: other }))
    expect(error).toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(error.message).toContain(`belongs to function '${owner}'`)
    expect(state.functions.has(other)).toBe(false)
    expect(count()).toBe(before)
    // An existing function taking the other's dead-letter queue is refused too.
    await cloud.deploy(worker, { name: other })
    const updates = count()
    const sharedDeadLetter = withOverrides(worker, { trigger: queue({ name: `${other}-in`, deadLetter: `${jobs}-dead-letter` }) })
    expect(await caughtError(cloud.deploy(sharedDeadLetter, { name: other }))).toMatchObject({ code: 'Conflict' })
    expect(count()).toBe(updates)
    expect(state.queues.get(jobs)?.tags['cloudfn:function']).toBe(owner)
    await cloud.remove(other)
    expect(state.queues.has(jobs)).toBe(true)
    await cloud.remove(owner)
  })

  it('refuses a queue cloudfn did not create, leaving its attributes alone', async () => {
    const [name, theirs] = [unique('foreign'), unique('theirs')]
    const sqs = new SQSClient(emulated.clientConfig)
    await sqs.send(new CreateQueueCommand({ QueueName: theirs }))
    const error = await caughtError(cloud.deploy(withOverrides(worker, { trigger: queue({ name: theirs }) }), { name }))
    expect(error).toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(error.message).toMatch(/not created by cloudfn/)
    expect(state.functions.has(name)).toBe(false)
    expect(state.queues.get(theirs)?.attributes.VisibilityTimeout).toBe('30')
  })

  it('removes only the queues whose tags name the function: a dead-letter queue someone else made since stays, messages and all', async () => {
    const name = unique('leaving')
    const jobs = unique('jobs')
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: jobs }) }), { name })
    // Out of band, someone deletes the dead-letter queue and makes their own under that name.
    const deadLetter = `${jobs}-dead-letter`
    state.queues.delete(deadLetter)
    const sqs = new SQSClient(emulated.clientConfig)
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: deadLetter, tags: { team: 'billing' } }))
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'theirs' }))
    await cloud.remove(name)
    expect(state.queues.has(jobs)).toBe(false)
    const kept = state.queues.get(deadLetter)
    expect({ tags: kept?.tags, bodies: kept?.messages.map((message) => message.body) }).toEqual({
      tags: { team: 'billing' },
      bodies: ['theirs'],
    })
  })

  it('keeps the dead-letter queue, messages and all, when a redeploy changes only the queue it reads', async () => {
    const name = unique('moving')
    const [before, after, failed] = [unique('before'), unique('after'), unique('failed')]
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: before, deadLetter: failed }) }), { name })
    const sqs = new SQSClient(emulated.clientConfig)
    await sqs.send(new SendMessageCommand({ QueueUrl: state.queues.get(failed)?.url, MessageBody: 'dead letter' }))
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: after, deadLetter: failed }) }), { name })
    expect([state.queues.has(before), state.queues.has(after)]).toEqual([false, true])
    expect(state.queues.get(failed)?.messages.map((message) => message.body)).toEqual(['dead letter'])
    await cloud.remove(name)
    expect(state.queues.has(failed)).toBe(false)
  })
})
