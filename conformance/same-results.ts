import type { Cloud } from '../src/client.ts'
import { withOverrides } from '../src/define.ts'
import { CloudfnError } from '../src/errors/cloudfn-error.ts'
import type { ManualClock } from '../src/triggers/clock.ts'
import { echo, fail } from './fixtures/functions.ts'
import { queueRecorder, scheduleRecorder } from './fixtures/recorders.ts'
import { createInboxes } from './inbox.ts'
import { FIDELITY_CASES } from './scenarios/payload.ts'
import { messageOfBytes, QUEUE_MESSAGES, receivedMessages } from './scenarios/queue-trigger.ts'

/** Larger than most messages, and within every backend's queue limit (Azure's 48 KiB is the smallest). */
const LARGE_MESSAGE_BYTES = 40_000

export interface ObserveOptions {
  /**
   * The clock the backend's schedules run on: when given, the schedule events
   * two ticks hand the handler are observed too.
   */
  clock?: ManualClock | undefined
}

/**
 * What a target returns for a fixed set of inputs (every payload-fidelity
 * case, every kind of user error), and what its handlers receive from its
 * triggers (queue messages of every JSON kind, schedule events), without
 * the parts that legitimately differ (stacks, execution ids, provider names,
 * the absolute time of a tick). Two targets that behave identically give
 * deep-equal observations.
 */
export async function observeResults(cloud: Cloud, prefix = 'same', options: ObserveOptions = {}): Promise<unknown[]> {
  const echoFn = await cloud.deploy(echo, { name: `${prefix}-echo` })
  const failFn = await cloud.deploy(fail, { name: `${prefix}-fail` })
  const seen: unknown[] = []
  try {
    for (const [, value] of FIDELITY_CASES) seen.push(await outcome(echoFn.invoke(value)))
    for (const kind of ['custom', 'type', 'string'] as const) seen.push(await outcome(failFn.invoke({ message: 'm', kind })))
  } finally {
    await echoFn.remove()
    await failFn.remove()
  }
  if (cloud.capabilities.triggers.queue) seen.push({ queue: await observeQueue(cloud, prefix) })
  if (cloud.capabilities.triggers.schedule && options.clock)
    seen.push({ schedule: await observeSchedule(cloud, prefix, options.clock) })
  return seen
}

/** The distinct messages the handler received, in the order they were sent (anything unrecognised last). */
async function observeQueue(cloud: Cloud, prefix: string): Promise<unknown> {
  const inboxes = createInboxes()
  try {
    const inbox = inboxes.open()
    const fn = await cloud.deploy(withOverrides(queueRecorder, { env: inbox.env }), { name: `${prefix}-queue` })
    try {
      const sent = [...QUEUE_MESSAGES, ['large', messageOfBytes(LARGE_MESSAGE_BYTES)] as const]
      for (const [, message] of sent) await fn.send(message)
      const { missing, foreign } = await receivedMessages(inbox, sent)
      const missed = new Set(missing)
      return {
        received: sent.filter(([label]) => !missed.has(label)).map(([label]) => label),
        missing,
        foreign: foreign.map((value) => JSON.stringify(value)?.slice(0, 200)),
      }
    } finally {
      await fn.remove()
    }
  } finally {
    inboxes.close()
  }
}

/** The events of the next two ticks of rate(5 minutes), with each tick's own time replaced by a marker when it matches. */
async function observeSchedule(cloud: Cloud, prefix: string, clock: ManualClock): Promise<unknown> {
  const inboxes = createInboxes()
  const period = 5 * 60_000
  try {
    const inbox = inboxes.open()
    const fn = await cloud.deploy(withOverrides(scheduleRecorder, { env: inbox.env }), { name: `${prefix}-tick` })
    try {
      const ticks: number[] = []
      for (let round = 0; round < 2; round++) {
        const boundary = (Math.floor(clock.now() / period) + 1) * period
        await clock.advance(boundary - clock.now())
        ticks.push(boundary)
      }
      const inTickOrder = inbox
        .deliveries()
        .sort((a, b) =>
          String((a.received as { scheduledTime?: unknown })?.scheduledTime).localeCompare(
            String((b.received as { scheduledTime?: unknown })?.scheduledTime),
          ),
        )
      return inTickOrder.map((delivery, index) => {
        const event = delivery.received as { scheduledTime?: unknown } | undefined
        const tick = ticks[index]
        return event?.scheduledTime === (tick === undefined ? undefined : new Date(tick).toISOString())
          ? { ...event, scheduledTime: `<tick ${index + 1}>` }
          : delivery
      })
    } finally {
      await fn.remove()
    }
  } finally {
    inboxes.close()
  }
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { value: await promise }
  } catch (error) {
    if (!CloudfnError.isInstance(error)) throw error
    const { remoteStack: _stack, executionId: _id, provider: _provider, message: _message, ...stable } = error.toJSON()
    return { error: stable }
  }
}
