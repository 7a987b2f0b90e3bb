import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import type { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import type { FunctionHandle } from '../../src/handle.ts'
import type { ProviderCapabilities } from '../../src/provider.ts'
import { topic } from '../../src/triggers/topic.ts'
import { caughtError, countedExecutions, eventually, rejectedBeforeSending, ScenarioSkipped } from '../expect.ts'
import { echo } from '../fixtures/functions.ts'
import { SUBSCRIBER_ENV, topicRecorder, topicWorker } from '../fixtures/topics.ts'
import type { Inbox } from '../inbox.ts'
import type { Probe, Scenario, ScenarioContext } from '../scenario.ts'
import { messageOfBytes, QUEUE_MESSAGES, receivedMessages } from './queue-trigger.ts'

const needsTopic = (caps: Readonly<ProviderCapabilities>) =>
  caps.triggers.topic ? undefined : 'this target offers no topic trigger'

/** Deliveries are asynchronous: a hang guard only (backends deliver within milliseconds, retries included). */
const DELIVERY_TIMEOUT_MS = 60_000

/** Retries for the dead-letter scenario: 2 (Lambda's asynchronous default) where allowed, else the nearest the target takes. */
function retriesFor(caps: Readonly<ProviderCapabilities>): number {
  const range = caps.triggers.topic?.maxRetries ?? { min: 0, max: 0 }
  return Math.min(Math.max(2, range.min), range.max)
}

async function deadLettersOf(probe: Probe, name: string): Promise<string[]> {
  const letters = await probe.deadLetters?.(name)
  if (letters === undefined) throw new ScenarioSkipped('this target cannot read dead letters, so dead-lettering was not checked')
  return letters
}

function inboxesOf(context: ScenarioContext, count: number): Inbox[] {
  const { inbox } = context
  if (!inbox) throw new ScenarioSkipped('this target runs handlers where the test cannot read what they received')
  return Array.from({ length: count }, () => inbox())
}

const preview = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 120 ? `${text.slice(0, 120)}... (${text.length} chars)` : text
}

/** The topic's name for this scenario: unique to the run, like the functions' names. */
const topicFor = (context: ScenarioContext, suffix: string) => context.name(suffix)

export const topicTrigger: Scenario[] = [
  {
    id: 'topic-fan-out',
    title:
      'every message published to a topic (every JSON kind, one at the size limit) reaches each of two subscribers exactly as sent',
    requires: needsTopic,
    async run(context) {
      const { cloud, capabilities } = context
      const inboxes = inboxesOf(context, 2)
      const topicName = topicFor(context, 'fan-out')
      try {
        const [first, second] = await Promise.all(
          inboxes.map((inbox, index) =>
            cloud.deploy(withOverrides(topicRecorder, { env: inbox.env, trigger: topic({ name: topicName }) }), {
              name: context.name(`subscriber-${index}`),
            }),
          ),
        )
        assert.equal(first?.trigger?.kind, 'topic')
        const limit = capabilities.triggers.topic?.maxMessageBytes ?? 0
        const sent = [...QUEUE_MESSAGES, ['at the size limit', messageOfBytes(limit)] as const]
        // Half through a subscriber's handle, half through the standalone publisher: both reach every subscriber.
        const publisher = cloud.topic(topicName)
        for (const [index, [, message]] of sent.entries()) {
          await (index % 2 === 0 ? (first as FunctionHandle).publish(message) : publisher.publish(message))
        }
        for (const [index, inbox] of inboxes.entries()) {
          const { missing, foreign } = await receivedMessages(inbox, sent)
          assert.deepEqual(
            { missing, foreign: foreign.map(preview) },
            { missing: [], foreign: [] },
            `subscriber ${index} must get every message exactly as published (missing: labels never received; foreign: what arrived instead)`,
          )
        }
        await first?.remove()
        await second?.remove()
      } finally {
        for (const inbox of inboxes) inbox.close()
      }
    },
  },
  {
    id: 'topic-retry-dead-letter',
    title:
      "a subscriber whose handler throws gets its copy maxRetries + 1 times, then dead-letters it; the other subscriber's copy is unaffected",
    requires: needsTopic,
    async run(context) {
      const { cloud, probe, capabilities } = context
      const topicName = topicFor(context, 'poison')
      const maxRetries = retriesFor(capabilities)
      const failing = context.name('failing')
      const healthy = context.name('healthy')
      const [a, b] = await Promise.all(
        [failing, healthy].map((fnName) =>
          cloud.deploy(
            withOverrides(topicWorker, { env: { [SUBSCRIBER_ENV]: fnName }, trigger: topic({ name: topicName, maxRetries }) }),
            { name: fnName },
          ),
        ),
      )
      await cloud.topic(topicName).publish({ id: 7, failFor: failing })
      await eventually(async () => (await deadLettersOf(probe, failing)).length === 1, DELIVERY_TIMEOUT_MS, 'the dead letter')
      assert.deepEqual(
        (await deadLettersOf(probe, failing)).map((body) => JSON.parse(body)),
        [{ id: 7, failFor: failing }],
      )
      await eventually(async () => (await countedExecutions(probe, healthy)) >= 1, DELIVERY_TIMEOUT_MS, 'the healthy copy')
      assert.equal(await countedExecutions(probe, failing), maxRetries + 1, 'the first delivery and maxRetries retries')
      assert.equal(await countedExecutions(probe, healthy), 1, 'the healthy subscriber handled its copy once')
      assert.deepEqual(await deadLettersOf(probe, healthy), [])
      await a?.remove()
      await b?.remove()
    },
  },
  {
    id: 'topic-removal',
    title: 'removing one subscriber leaves the topic and the other subscriber working; the last one out removes the topic',
    requires: needsTopic,
    async run(context) {
      const { cloud, probe } = context
      const topicName = topicFor(context, 'shared')
      const [inbox] = inboxesOf(context, 1) as [Inbox]
      try {
        const leaving = await cloud.deploy(withOverrides(topicRecorder, { trigger: topic({ name: topicName }) }), {
          name: context.name('leaving'),
        })
        const staying = await cloud.deploy(
          withOverrides(topicRecorder, { env: inbox.env, trigger: topic({ name: topicName }) }),
          { name: context.name('staying') },
        )
        assert.deepEqual(await leaving.remove(), { removed: true })
        if (probe.topicNames) assert.ok((await probe.topicNames()).includes(topicName), 'the topic outlives one subscriber')
        await staying.publish({ after: 'one subscriber left' })
        const { missing } = await receivedMessages(inbox, [['after removal', { after: 'one subscriber left' }]])
        assert.deepEqual(missing, [], 'the remaining subscriber still gets what is published')
        await staying.remove()
        if (probe.topicNames) assert.ok(!(await probe.topicNames()).includes(topicName), 'the last one out removes the topic')
        const error = await caughtError(cloud.topic(topicName).publish({ late: true }))
        assert.equal(error.code, 'NotFound', error.message)
      } finally {
        inbox.close()
      }
    },
  },
  {
    id: 'topic-publish-checks',
    title:
      'publish() on a function without a topic trigger is Unsupported, an oversized message is PayloadTooLarge, a bad topic config is InvalidArgument',
    requires: needsTopic,
    async run({ cloud, probe, name, capabilities }) {
      const plain = await cloud.deploy(echo, { name: name('plain') })
      // Its type has no publish(); JavaScript callers (and casts) reach the run-time refusal.
      await rejectedBeforeSending(probe, () => (plain as unknown as FunctionHandle).publish({ id: 1 }), 'Unsupported')
      await plain.remove()
      const limits = capabilities.triggers.topic
      const limit = limits?.maxMessageBytes ?? 0
      await rejectedBeforeSending(probe, () => cloud.topic(name('limits')).publish(messageOfBytes(limit + 1)), 'PayloadTooLarge')
      const field = async (retries: number) => {
        const error = await rejectedBeforeSending(
          probe,
          () =>
            cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: name('t'), maxRetries: retries }) }), {
              name: name('bad'),
            }),
          'InvalidArgument',
        )
        assert.equal((error as { field?: string }).field, 'trigger.maxRetries', error.message)
      }
      if (limits && limits.maxRetries.max < 100) await field(limits.maxRetries.max + 1)
      if (limits && limits.maxRetries.min > 0) await field(limits.maxRetries.min - 1)
      // The default dead letter is `<function>-dead-letter`: a topic of that name would be its own dead letter.
      const self = name('self')
      const own = await rejectedBeforeSending(
        probe,
        () => cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: `${self}-dead-letter` }) }), { name: self }),
        'InvalidArgument',
      )
      assert.equal((own as { field?: string }).field, 'trigger.deadLetter', own.message)
      if (limits && !limits.namedDeadLetter) {
        const error = await rejectedBeforeSending(
          probe,
          () =>
            cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: name('t'), deadLetter: name('dl') }) }), {
              name: name('bad'),
            }),
          'InvalidArgument',
        )
        assert.equal((error as { field?: string }).field, 'trigger.deadLetter', error.message)
      }
      // Names some cloud reserves (Pub/Sub `goog`, Event Grid `microsoft`): refused before anything is sent where the
      // backend's topic service refuses them, else deployed as any other name. Never made half-way.
      for (const reserved of ['goog', 'microsoft']) {
        const topicName = `${reserved}${name('t')}`
        const subscriber = name(`${reserved}-sub`)
        const deployed = cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: topicName }) }), { name: subscriber })
        const outcome = await deployed.then(
          (handle) => ({ handle }),
          (error: unknown) => ({ error: error as CloudfnError }),
        )
        if ('handle' in outcome) {
          await outcome.handle.remove()
          continue
        }
        assert.deepEqual(
          [outcome.error.code, (outcome.error as { field?: string }).field],
          ['InvalidArgument', 'trigger.name'],
          `topic '${topicName}' either deploys or is refused naming trigger.name: ${outcome.error.message}`,
        )
        // Nothing made half-way: no function and no topic. (Not a request count: in the fault runs a retry of an
        // earlier step may still land in this window, and the provider's own test proves the check comes first.)
        assert.equal(await probe.exists(subscriber), false)
        if (probe.topicNames) assert.ok(!(await probe.topicNames()).includes(topicName), `topic '${topicName}' was made`)
      }
    },
  },
  {
    id: 'topic-not-offered',
    title:
      'where topics are not offered, deploying a topic() subscriber is InvalidArgument on trigger and publishing is Unsupported, before anything is sent',
    requires: (caps) => (caps.triggers.topic ? 'this target offers topics (the other topic scenarios cover it)' : undefined),
    async run({ cloud, probe, name }) {
      const error = await rejectedBeforeSending(
        probe,
        () => cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: name('t') }) }), { name: name('sub') }),
        'InvalidArgument',
      )
      assert.equal((error as { field?: string }).field, 'trigger', error.message)
      await rejectedBeforeSending(probe, () => cloud.topic(name('t')).publish({ id: 1 }), 'Unsupported')
    },
  },
]
