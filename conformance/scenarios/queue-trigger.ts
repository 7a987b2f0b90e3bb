import assert from 'node:assert/strict'
import type { FunctionHandle } from '../../src/handle.ts'
import { countedExecutions, eventually, rejectedBeforeSending, ScenarioSkipped } from '../expect.ts'
import { echo, worker } from '../fixtures/functions.ts'
import type { Probe, Scenario } from '../scenario.ts'

const needsQueue = (caps: { triggers: { queue?: unknown } }) =>
  caps.triggers.queue ? undefined : 'this target offers no queue trigger'

async function deadLettersOf(probe: Probe, name: string): Promise<string[]> {
  const letters = await probe.deadLetters?.(name)
  if (letters === undefined)
    throw new ScenarioSkipped('this target cannot read dead-letter queues, so dead-lettering was not checked')
  return letters
}

/** Deliveries are asynchronous: generous on emulators, which retry within milliseconds. */
const DELIVERY_TIMEOUT_MS = 20_000

export const queueTrigger: Scenario[] = [
  {
    id: 'queue-delivery',
    title: 'every message sent to a queue-triggered function runs it (at least once), and none is dead-lettered',
    requires: needsQueue,
    async run({ cloud, probe, name }) {
      const fnName = name('worker')
      const fn = await cloud.deploy(worker, { name: fnName })
      assert.equal(fn.trigger?.kind, 'queue')
      const ids = await Promise.all([1, 2, 3, 4, 5].map((id) => fn.send({ id })))
      assert.equal(new Set(ids.map((sent) => sent.messageId)).size, 5, 'each message gets its own id')
      await eventually(async () => (await countedExecutions(probe, fnName)) >= 5, DELIVERY_TIMEOUT_MS, 'five executions')
      assert.deepEqual(await deadLettersOf(probe, fnName), [])
      await fn.remove()
    },
  },
  {
    id: 'queue-retry-dead-letter',
    title: 'a message whose handler always throws is delivered maxRetries + 1 times, then lands in the dead-letter queue',
    requires: needsQueue,
    async run({ cloud, probe, name }) {
      const fnName = name('poison')
      const fn = await cloud.deploy(worker, { name: fnName })
      await fn.send({ id: 7, fail: true })
      await eventually(async () => (await deadLettersOf(probe, fnName)).length === 1, DELIVERY_TIMEOUT_MS, 'the dead letter')
      assert.deepEqual(
        (await deadLettersOf(probe, fnName)).map((body) => JSON.parse(body)),
        [{ id: 7, fail: true }],
      )
      // maxRetries 4: the first delivery and four retries.
      assert.equal(await countedExecutions(probe, fnName), 5)
      await fn.remove()
    },
  },
  {
    id: 'queue-send-checks',
    title: 'send() on a function without a queue trigger is Unsupported, and an oversized message is PayloadTooLarge',
    requires: needsQueue,
    async run({ cloud, probe, name, capabilities }) {
      const plain = await cloud.deploy(echo, { name: name('plain') })
      // Its type has no send(); JavaScript callers (and casts) reach the run-time refusal.
      const untyped = plain as unknown as FunctionHandle
      await rejectedBeforeSending(probe, () => untyped.send({ id: 1 }), 'Unsupported')
      await plain.remove()
      const fn = await cloud.deploy(worker, { name: name('limits') })
      const limit = capabilities.triggers.queue?.maxMessageBytes ?? 0
      await rejectedBeforeSending(probe, () => fn.send({ id: 1, padding: 'x'.repeat(limit) } as never), 'PayloadTooLarge')
      const direct = await cloud.get(fn.name)
      assert.equal(direct.trigger?.kind, 'queue', 'get() returns the trigger too')
      await fn.remove()
    },
  },
]
