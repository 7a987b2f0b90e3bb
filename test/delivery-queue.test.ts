import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { packageFile } from '../src/package/package-root.ts'
import { DeliveryQueue, type QueuedMessage } from '../src/sandbox/delivery-queue.ts'

describe('DeliveryQueue', () => {
  it('keeps a process that awaits idle() alive through failing retries (the CLI send of a persisted local fake)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [packageFile('test/fixtures/idle-with-retries.ts')], {
      timeout: 60_000,
    })
    expect(JSON.parse(stdout)).toEqual({ deadLetters: [['{"a":1}', 3]] })
  })

  it('delivers in batches, retries failures and dead-letters after maxDeliveries', async () => {
    const batches: string[][] = []
    const queue = new DeliveryQueue({
      batchSize: 2,
      maxDeliveries: 3,
      retryDelayMs: 1,
      concurrency: 1,
      deliver: async (batch) => {
        batches.push(batch.map((message) => message.body))
        return batch.filter((message) => message.body === '"bad"').map((message) => message.id)
      },
    })
    queue.send('"a"')
    queue.send('"bad"')
    queue.send('"b"')
    await queue.idle()
    expect(queue.delivered).toBe(2)
    expect(queue.deadLetters.map((message: QueuedMessage) => [message.body, message.deliveries])).toEqual([['"bad"', 3]])
    expect(batches.flat().filter((body) => body === '"bad"')).toHaveLength(3)
    // No batching window: the first send goes at once, the two sent meanwhile travel together.
    expect(batches.slice(0, 2)).toEqual([['"a"'], ['"bad"', '"b"']])
  })

  it('treats a rejected delivery as a failure of the whole batch', async () => {
    let calls = 0
    const queue = new DeliveryQueue({
      batchSize: 5,
      maxDeliveries: 2,
      retryDelayMs: 1,
      deliver: async () => {
        calls++
        throw new Error('instance crashed')
      },
    })
    queue.send('1')
    await queue.idle()
    expect(calls).toBe(2)
    expect(queue.deadLetters).toHaveLength(1)
  })

  it('stops delivering when closed and keeps what waits', async () => {
    // Closed once the first message is being delivered (the event itself, not a guess at how long that takes).
    let delivering = () => {}
    const first = new Promise<void>((resolve) => {
      delivering = resolve
    })
    const queue = new DeliveryQueue({
      batchSize: 1,
      maxDeliveries: 5,
      retryDelayMs: 10_000,
      deliver: async (batch) => {
        delivering()
        return batch.map((m) => m.id)
      },
    })
    queue.send('1')
    await first
    queue.close()
    await queue.idle()
    queue.send('2')
    expect(queue.waiting.map((message) => message.body)).toEqual(['2'])
  })
})
