import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { topicWorker } from '../../../conformance/fixtures/topics.ts'
import { withOverrides } from '../../../src/define.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { topic } from '../../../src/triggers/topic.ts'
import { startEmulated } from '../__fixtures__/setup.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated({ queueRetryDelayMs: 2 })
})
afterAll(() => env.emulator.close())

const PROJECT = 'projects/cloudfn-tests'
const on = (name: string, options: { maxRetries?: number } = {}) =>
  withOverrides(topicWorker, { trigger: topic({ name, ...options }) })
const topicNamed = (name: string) => env.emulator.pubsub.topics.get(`${PROJECT}/topics/${name}`)
/** The subscriptions on a topic: which function each pushes to (or `pull`), and its dead-letter policy. */
const subscriptionsOf = (name: string) =>
  [...env.emulator.pubsub.subscriptions.values()]
    .map((subscription) => subscription.resource)
    .filter((resource) => resource.topic === `${PROJECT}/topics/${name}`)
    .map((resource) => ({
      to: resource.pushConfig?.pushEndpoint
        ? (resource.pushConfig.pushEndpoint.match(/^https:\/\/([a-z-]+?)-[0-9a-f]{10}-/)?.[1] ?? '?')
        : 'pull',
      deadLetter: resource.deadLetterPolicy,
    }))
    .sort((a, b) => (a.to < b.to ? -1 : 1))

describe('gcp topic triggers', () => {
  it('share one labelled topic with a push subscription and dead-letter topic per subscriber; the last one out deletes the topic', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(on('orders'), { name: 'audit-fn' })
    await cloud.deploy(on('orders', { maxRetries: 9 }), { name: 'mailer-fn' })
    expect(topicNamed('orders')?.labels).toEqual({ 'cloudfn-managed': 'true', 'cloudfn-shared-topic': 'true' })
    expect(topicNamed('audit-fn-dead-letter')?.labels).toMatchObject({ 'cloudfn-function': 'audit-fn' })
    expect(subscriptionsOf('orders')).toEqual([
      { to: 'audit-fn', deadLetter: { deadLetterTopic: `${PROJECT}/topics/audit-fn-dead-letter`, maxDeliveryAttempts: 5 } },
      { to: 'mailer-fn', deadLetter: { deadLetterTopic: `${PROJECT}/topics/mailer-fn-dead-letter`, maxDeliveryAttempts: 10 } },
    ])
    expect((await cloud.get('audit-fn')).trigger).toEqual({
      kind: 'topic',
      name: 'orders',
      maxRetries: undefined,
      deadLetter: undefined,
    })
    await cloud.remove('audit-fn')
    expect(subscriptionsOf('orders').map((s) => s.to)).toEqual(['mailer-fn'])
    expect(topicNamed('audit-fn-dead-letter')).toBeUndefined()
    expect(topicNamed('mailer-fn-dead-letter')).toBeDefined()
    await cloud.remove('mailer-fn')
    expect(topicNamed('orders')).toBeUndefined()
    expect(topicNamed('mailer-fn-dead-letter')).toBeUndefined()
  })

  it('uses a topic cloudfn did not make and never deletes it', async () => {
    env.emulator.pubsub.topics.set(`${PROJECT}/topics/theirs`, { name: `${PROJECT}/topics/theirs`, labels: {} })
    const cloud = env.cloudWith()
    await cloud.deploy(on('theirs'), { name: 'reader-fn' })
    expect(subscriptionsOf('theirs').map((s) => s.to)).toEqual(['reader-fn'])
    await cloud.remove('reader-fn')
    expect(topicNamed('theirs')).toEqual({ name: `${PROJECT}/topics/theirs`, labels: {} })
  })

  it("refuses a topic that is another function's queue, before changing anything", async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'jobs' }) }), { name: 'queue-owner' })
    const before = env.state.requests.length
    const error = await caughtError(cloud.deploy(on('jobs'), { name: 'intruder' }))
    expect([error.code, error.isRetryable]).toEqual(['Conflict', false])
    expect(error.message).toMatch(/'jobs' is the queue of function 'queue-owner'/)
    expect(env.state.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([])
    await cloud.remove('queue-owner')
  })

  it('refuses a topic or queue ID Pub/Sub refuses (under 3 characters, "goog" first), naming the field, before any request', async () => {
    const cloud = env.cloudWith()
    const before = env.state.requestCount
    const refusals = [
      [() => cloud.deploy(on('ab'), { name: 'short-fn' }), 'trigger.name'],
      [() => cloud.deploy(on('google-news'), { name: 'goog-fn' }), 'trigger.name'],
      [() => cloud.plan(on('goog'), { name: 'goog-fn' }), 'trigger.name'],
      [
        () => cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: 'news', deadLetter: 'dl' }) }), { name: 'dl-fn' }),
        'trigger.deadLetter',
      ],
      [() => cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'googjobs' }) }), { name: 'queue-fn' }), 'trigger.name'],
      [
        () => cloud.deploy(withOverrides(worker, { trigger: queue({ deadLetter: 'google-dl' }) }), { name: 'queue-fn' }),
        'trigger.deadLetter',
      ],
    ] as const
    for (const [action, field] of refusals) {
      const error = await caughtError(action())
      expect([error.code, (error as { field?: string }).field]).toEqual(['InvalidArgument', field])
    }
    expect(env.state.requestCount).toBe(before)
  })

  it('moves a subscriber to another topic, leaving the old one to its other subscriber', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(on('first'), { name: 'mover-fn' })
    await cloud.deploy(on('first'), { name: 'stayer-fn' })
    await cloud.deploy(on('second'), { name: 'mover-fn' })
    expect(subscriptionsOf('first').map((s) => s.to)).toEqual(['stayer-fn'])
    expect(subscriptionsOf('second').map((s) => s.to)).toEqual(['mover-fn'])
    await cloud.remove('stayer-fn')
    expect(topicNamed('first')).toBeUndefined()
    await cloud.remove('mover-fn')
    expect(topicNamed('second')).toBeUndefined()
  })

  it('gc collects a shared topic no function subscribes to any more, and keeps one in use and one cloudfn did not make', async () => {
    const shared = { 'cloudfn-managed': 'true', 'cloudfn-shared-topic': 'true' }
    env.emulator.pubsub.topics.set(`${PROJECT}/topics/orphan`, { name: `${PROJECT}/topics/orphan`, labels: shared })
    env.emulator.pubsub.topics.set(`${PROJECT}/topics/foreign`, { name: `${PROJECT}/topics/foreign`, labels: {} })
    const cloud = env.cloudWith()
    await cloud.deploy(on('live'), { name: 'live-fn' })
    // A dry run at any age reports it; a real run with an age limit keeps it, since Pub/Sub keeps no change time.
    expect((await cloud.gc({ olderThanMs: 0, dryRun: true })).removed).toContain('topic:orphan')
    expect((await cloud.gc({ olderThanMs: 60_000 })).removed).not.toContain('topic:orphan')
    const result = await cloud.gc({ olderThanMs: 0 })
    expect(result.removed).toContain('topic:orphan')
    expect(topicNamed('orphan')).toBeUndefined()
    expect(topicNamed('foreign')).toBeDefined()
    expect(result.removed).not.toContain('topic:live')
    // gc removed the live function too (olderThanMs 0), and with it, as its last subscriber, the topic.
    expect(topicNamed('live')).toBeUndefined()
  })

  it('a queue function turned topic subscriber keeps its dead-letter topic (same name) and dead-letters there', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(withOverrides(worker, { trigger: queue({ maxRetries: 4 }) }), { name: 'switch-fn' })
    expect(topicNamed('switch-fn-dead-letter')).toBeDefined()
    await cloud.deploy(on('switched'), { name: 'switch-fn' })
    expect(topicNamed('switch-fn-dead-letter')?.labels).toMatchObject({ 'cloudfn-function': 'switch-fn' })
    expect(subscriptionsOf('switched')).toEqual([
      { to: 'switch-fn', deadLetter: { deadLetterTopic: `${PROJECT}/topics/switch-fn-dead-letter`, maxDeliveryAttempts: 5 } },
    ])
    expect(subscriptionsOf('switch-fn-dead-letter').map((s) => s.to)).toEqual(['pull'])
    expect(topicNamed('switch-fn')).toBeUndefined()
    await cloud.remove('switch-fn')
    expect(topicNamed('switch-fn-dead-letter')).toBeUndefined()
    expect(topicNamed('switched')).toBeUndefined()
  })

  it('a topic subscriber turned queue function keeps its dead-letter topic and leaves the topic as the last one out', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(on('was-topic'), { name: 'back-fn' })
    await cloud.deploy(withOverrides(worker, { trigger: queue({ maxRetries: 4 }) }), { name: 'back-fn' })
    expect(topicNamed('was-topic')).toBeUndefined()
    expect(subscriptionsOf('back-fn')).toEqual([
      { to: 'back-fn', deadLetter: { deadLetterTopic: `${PROJECT}/topics/back-fn-dead-letter`, maxDeliveryAttempts: 5 } },
    ])
    expect(subscriptionsOf('back-fn-dead-letter').map((s) => s.to)).toEqual(['pull'])
    await cloud.remove('back-fn')
    expect(topicNamed('back-fn-dead-letter')).toBeUndefined()
  })
})
