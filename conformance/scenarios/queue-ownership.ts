import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import { queue } from '../../src/triggers/queue.ts'
import { rejectsWith, ScenarioSkipped } from '../expect.ts'
import { worker } from '../fixtures/functions.ts'
import type { ForeignQueues, HeldQueue, Scenario, ScenarioContext } from '../scenario.ts'

/**
 * The queue-ownership rule (src/triggers/ownership.ts) on every backend: a
 * queue cloudfn did not make, or another function's, is refused before the
 * deploy changes anything (as the queue and as the dead-letter queue); the
 * function's own queue is adopted on a redeploy; remove deletes only the
 * function's own queues. Foreign queues are made and read out of band
 * (`ForeignQueues`), and compared by content: marker and messages.
 */

const THEIR_MESSAGES = ['{"theirs":1}', '{"theirs":2,"text":"héllo"}']

/**
 * The distinct messages of a queue, in one order: what a foreign queue made
 * through the cloud's own API is promised to hold. Every backend's queue is
 * at-least-once on the way in, with no way to make a repeated send idempotent
 * on the queue kind the scenario makes, so a send repeated after a lost answer
 * (the harness retry, or the SDK's own) may leave a copy:
 * - SQS standard queue: at-least-once delivery, and `MessageDeduplicationId`
 *   "applies only to FIFO queues" (SQS Developer Guide, "At-least-once
 *   delivery"; API Reference, SendMessage).
 * - Pub/Sub: a message published twice is two messages with distinct ids, even
 *   on an exactly-once subscription (REST reference, Subscription
 *   `enableExactlyOnceDelivery`).
 * - Azure Queue Storage: at-least-once, no duplicate detection (that is
 *   Service Bus's; "Storage queues and Service Bus queues - compared and
 *   contrasted").
 * So the scenario compares the set sent with the set held. What cloudfn must
 * not change is still compared exactly: a queue's state before a refused
 * deploy against its state after.
 */
export function distinctMessages(messages: readonly string[]): string[] {
  return [...new Set(messages)].sort()
}

function foreignQueuesOf(context: ScenarioContext): ForeignQueues {
  if (!context.foreignQueues) throw new ScenarioSkipped('this target cannot make a queue outside the API under test')
  return context.foreignQueues
}

/** The queue as held now, which must exist. */
async function held(queues: ForeignQueues, name: string): Promise<HeldQueue> {
  const found = await queues.read(name)
  assert.ok(found, `queue '${name}' should exist`)
  return found
}

async function refused(context: ScenarioContext, deploy: Promise<unknown>, queueName: string, functionName: string) {
  const error = await rejectsWith(deploy, 'Conflict')
  assert.equal(error.isRetryable, false, 'waiting does not free a queue: the refusal must not be retryable')
  assert.ok(error.message.includes(`'${queueName}'`), `the refusal must name the queue '${queueName}': ${error.message}`)
  assert.match(error.message, /another queue/, 'the refusal must say what to do')
  assert.equal(await context.probe.exists(functionName), false, 'a refused deploy must not create the function')
}

export const queueOwnership: Scenario[] = [
  {
    id: 'queue-ownership',
    title:
      "a foreign or another function's queue or dead-letter queue is refused untouched, an owned queue is adopted, remove deletes only owned queues",
    requires: (caps) => (caps.triggers.queue ? undefined : 'this target offers no queue trigger'),
    async run(context) {
      const { cloud, name } = context
      const queues = foreignQueuesOf(context)
      const [owner, taker] = [name('owner'), name('taker')]
      const [mine, theirs, fresh] = [name('mine'), name('theirs'), name('fresh')]
      const deadLetterOf = (queueName: string) => queues.deadLetterOf?.(queueName) ?? `${queueName}-dead-letter`
      const made: string[] = []
      const makeForeign = async (queueName: string) => {
        await queues.create(queueName, THEIR_MESSAGES)
        made.push(queueName)
        return held(queues, queueName)
      }
      try {
        // The owner's queue (this also makes whatever account the backend keeps queues in).
        await cloud.deploy(withOverrides(worker, { trigger: queue({ name: mine }) }), { name: owner })
        const ownedBefore = await held(queues, mine)

        // A queue cloudfn did not make: refused, left exactly as it was.
        const untouched = await makeForeign(theirs)
        assert.deepEqual(
          distinctMessages(untouched.messages),
          distinctMessages(THEIR_MESSAGES),
          'the foreign queue should hold what was put in it (at least once)',
        )
        await refused(
          context,
          cloud.deploy(withOverrides(worker, { trigger: queue({ name: theirs }) }), { name: taker }),
          theirs,
          taker,
        )
        assert.deepEqual(await queues.read(theirs), untouched, 'a refused deploy must leave the foreign queue as it was')

        // Another function's queue: refused, naming the owner.
        const shared = rejectsWith(
          cloud.deploy(withOverrides(worker, { trigger: queue({ name: mine }) }), { name: taker }),
          'Conflict',
        )
        assert.match((await shared).message, new RegExp(`'${owner}'`), 'the refusal must name the owning function')
        assert.equal(await context.probe.exists(taker), false)

        // A foreign dead-letter queue: refused too, before the queue itself is made.
        const namedDeadLetter = context.capabilities.triggers.queue?.namedDeadLetter === true
        const deadLetter = namedDeadLetter ? theirs : deadLetterOf(fresh)
        const deadLetterBefore = namedDeadLetter ? untouched : await makeForeign(deadLetter)
        const trigger = namedDeadLetter ? queue({ name: fresh, deadLetter: theirs }) : queue({ name: fresh })
        await refused(context, cloud.deploy(withOverrides(worker, { trigger }), { name: taker }), deadLetter, taker)
        assert.deepEqual(
          await queues.read(deadLetter),
          deadLetterBefore,
          'a refused deploy must leave the foreign dead-letter queue as it was',
        )
        assert.equal(await queues.read(fresh), undefined, 'a refused deploy must not make the queue it asked for')

        // The owner's own queue is adopted on a redeploy that changes the function: same queue, same marker.
        const changed = withOverrides(worker, { trigger: queue({ name: mine }), env: { OWNERSHIP_REDEPLOY: '1' } })
        assert.equal((await cloud.deploy(changed, { name: owner })).status, 'updated')
        assert.deepEqual((await held(queues, mine)).marker, ownedBefore.marker, 'a redeploy must adopt its queue as it is')

        // Someone replaces the owner's dead-letter queue out of band: remove deletes the owner's queue, never theirs.
        await queues.delete(deadLetterOf(mine))
        const replaced = await makeForeign(deadLetterOf(mine))
        await cloud.remove(owner)
        assert.equal(await queues.read(mine), undefined, "remove must delete the function's own queue")
        assert.deepEqual(await queues.read(deadLetterOf(mine)), replaced, 'remove must leave a queue it does not own as it was')
        assert.deepEqual(await queues.read(theirs), untouched)
      } finally {
        for (const queueName of made) await queues.delete(queueName)
      }
    },
  },
]
