import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import { withOverrides } from '../../src/define.ts'
import type { FunctionHandle } from '../../src/handle.ts'
import { countedExecutions, eventually, rejectedBeforeSending, ScenarioSkipped } from '../expect.ts'
import { echo, worker } from '../fixtures/functions.ts'
import { queueRecorder } from '../fixtures/recorders.ts'
import type { Inbox } from '../inbox.ts'
import type { Probe, Scenario, ScenarioContext } from '../scenario.ts'

const needsQueue = (caps: { triggers: { queue?: unknown } }) =>
  caps.triggers.queue ? undefined : 'this target offers no queue trigger'

async function deadLettersOf(probe: Probe, name: string): Promise<string[]> {
  const letters = await probe.deadLetters?.(name)
  if (letters === undefined)
    throw new ScenarioSkipped('this target cannot read dead-letter queues, so dead-lettering was not checked')
  return letters
}

/** Deliveries are asynchronous: a hang guard only (emulators deliver within milliseconds, retries included). */
const DELIVERY_TIMEOUT_MS = 60_000

/** Queue messages of every JSON kind; each must reach the handler exactly as sent (all distinct, so each is recognisable). */
export const QUEUE_MESSAGES: ReadonlyArray<readonly [string, unknown]> = [
  ['object', { id: 1, name: 'first', done: false }],
  ['empty object', {}],
  ['array', [1, 'two', null, { three: 3 }, [4], true]],
  ['empty array', []],
  ['string', 'plain text'],
  ['empty string', ''],
  ['string that looks like JSON', '{"not":"an object"}'],
  ['number', 42],
  ['zero', 0],
  ['negative float', -3.25],
  ['large numbers', [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1.7976931348623157e308, 5e-324]],
  ['true', true],
  ['false', false],
  ['null', null],
  ['nested', { a: { b: { c: { d: [1, [2, [3, { e: 'deep' }]]] } } } }],
  ['unicode', { text: 'héllo wörld — ñ, 中文, עברית, Ελληνικά', emoji: '👩‍👩‍👧‍👦 🚀 🇯🇵', '🔑': 'key' }],
  ['escapes', 'quote " backslash \\ newline \n tab \t nul \u0000 line sep \u2028 del \u007f'],
]

/** A string message whose encoded JSON is exactly `bytes` long (the quotes count). */
export function messageOfBytes(bytes: number): string {
  return 'x'.repeat(bytes - 2)
}

function inboxOf(context: ScenarioContext): Inbox {
  if (!context.inbox) throw new ScenarioSkipped('this target runs handlers where the test cannot read what they received')
  return context.inbox()
}

/**
 * Waits until every sent message was recorded by the handler, or until one
 * arrived that matches none of them (which can only be a corrupted message),
 * or until as many deliveries as messages arrived, and says which labels
 * never arrived and what arrived that was never sent. Duplicates are allowed
 * (queues deliver at least once) and must be exact copies too; the recorder
 * never fails and injected faults answer requests before they are handled,
 * so no scenario here provokes a redelivery that could stand in for a
 * message still on its way.
 */
export async function receivedMessages(
  inbox: Inbox,
  sent: ReadonlyArray<readonly [string, unknown]>,
): Promise<{ missing: string[]; foreign: unknown[] }> {
  const expected = sent.map(([label, value]) => [label, JSON.parse(JSON.stringify(value))] as const)
  let outcome = { missing: expected.map(([label]) => label), foreign: [] as unknown[] }
  await eventually(
    async () => {
      const got = inbox.deliveries().map((delivery) => (delivery.defined ? delivery.received : '<undefined>'))
      outcome = {
        missing: expected
          .filter(([, value]) => !got.some((received) => isDeepStrictEqual(received, value)))
          .map(([label]) => label),
        foreign: got.filter((received) => !expected.some(([, value]) => isDeepStrictEqual(received, value))),
      }
      // As many deliveries as messages with some still missing: the surplus copies of a received value
      // stand for the missing ones (a backend that hands every handler `null`), so waiting longer cannot help.
      return outcome.missing.length === 0 || outcome.foreign.length > 0 || got.length >= expected.length
    },
    DELIVERY_TIMEOUT_MS,
    `the handler to receive ${sent.length} messages`,
  )
  return outcome
}

const preview = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 120 ? `${text.slice(0, 120)}... (${text.length} chars)` : text
}

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
    id: 'queue-content',
    title: 'queue messages of every JSON kind, one at the size limit included, reach the handler exactly as sent',
    requires: needsQueue,
    async run(context) {
      const { cloud, name, capabilities } = context
      const inbox = inboxOf(context)
      try {
        const fn = await cloud.deploy(withOverrides(queueRecorder, { env: inbox.env }), { name: name('content') })
        const limit = capabilities.triggers.queue?.maxMessageBytes ?? 0
        const sent = [...QUEUE_MESSAGES, ['at the size limit', messageOfBytes(limit)] as const]
        for (const [, message] of sent) await fn.send(message)
        const { missing, foreign } = await receivedMessages(inbox, sent)
        assert.deepEqual(
          { missing, foreign: foreign.map(preview) },
          { missing: [], foreign: [] },
          'every message must reach the handler exactly as sent (missing: labels never received; foreign: what arrived instead)',
        )
        await fn.remove()
      } finally {
        inbox.close()
      }
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
