import { describe, expect, it } from 'vitest'
import { createCloud, defineFunction, type PublishRequest, queue, topic } from '../src/index.ts'
import { createMockProvider, MOCK_CAPABILITIES } from '../src/testing/index.ts'
import { topicNames } from '../src/triggers/topic.ts'

/** The mock provider with topics and a recording doPublish. */
function topicCloud(limits = { maxRetries: { min: 0, max: 2, default: 2 }, namedDeadLetter: false, maxMessageBytes: 64 }) {
  const provider = createMockProvider({ capabilities: { triggers: { ...MOCK_CAPABILITIES.triggers, topic: limits } } })
  const published: PublishRequest[] = []
  const withPublish = Object.assign(provider, {
    doPublish: async (request: PublishRequest) => {
      published.push(request)
      return { messageId: `published-${published.length}` }
    },
  })
  return { cloud: createCloud(withPublish), provider: withPublish, published }
}

describe('topic()', () => {
  it('is frozen data naming the shared topic, with the cloud default for retries left open', () => {
    const trigger = topic({ name: 'orders' })
    expect(trigger).toEqual({ kind: 'topic', name: 'orders', maxRetries: undefined, deadLetter: undefined })
    expect(Object.isFrozen(trigger)).toBe(true)
    expect(topicNames(trigger, 'audit')).toEqual({ topic: 'orders', deadLetter: 'audit-dead-letter' })
    expect(topicNames(topic({ name: 'orders', deadLetter: 'audit-failed', maxRetries: 0 }), 'audit')).toEqual({
      topic: 'orders',
      deadLetter: 'audit-failed',
    })
  })

  it.each([
    [{}, 'trigger.name'],
    [{ name: 'Orders' }, 'trigger.name'],
    [{ name: 'orders', maxRetries: -1 }, 'trigger.maxRetries'],
    [{ name: 'orders', maxRetries: 1.5 }, 'trigger.maxRetries'],
    [{ name: 'orders', deadLetter: 'orders' }, 'trigger.deadLetter'],
    [{ name: 'orders', deadLetter: 'bad_name' }, 'trigger.deadLetter'],
    [{ name: 'orders', filter: 'x' }, 'trigger.filter'],
  ])('refuses %j naming %s', (options, field) => {
    expect(() => topic(options as never)).toThrow(expect.objectContaining({ code: 'InvalidArgument', field }))
  })
})

describe('topic triggers in the core', () => {
  const subscriber = (trigger = topic({ name: 'orders' })) =>
    defineFunction({ name: 'audit', trigger, handler: (message: { id: number }) => message.id })

  it('publishes from the handle and from a standalone publisher, to the topic, as JSON', async () => {
    const { cloud, published } = topicCloud()
    const fn = await cloud.deploy(subscriber())
    expect(await fn.publish({ id: 1 })).toEqual({ messageId: 'published-1' })
    expect(await cloud.topic<{ id: number }>('orders').publish({ id: 2 })).toEqual({ messageId: 'published-2' })
    expect(published).toEqual([
      { topic: 'orders', message: '{"id":1}' },
      { topic: 'orders', message: '{"id":2}' },
    ])
  })

  it('refuses what the provider cannot honour before anything is sent, naming the field', async () => {
    const { cloud, provider } = topicCloud()
    await expect(cloud.deploy(subscriber(topic({ name: 'orders', maxRetries: 3 })))).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'trigger.maxRetries',
    })
    await expect(cloud.deploy(subscriber(topic({ name: 'orders', deadLetter: 'kept' })))).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'trigger.deadLetter',
    })
    const fn = await cloud.deploy(subscriber())
    const before = provider.calls.length
    await expect(fn.publish({ id: 1, padding: 'x'.repeat(64) } as never)).rejects.toMatchObject({ code: 'PayloadTooLarge' })
    expect(() => cloud.topic('Not A Name')).toThrow(expect.objectContaining({ code: 'InvalidArgument', field: 'name' }))
    expect(provider.calls.length).toBe(before)
  })

  it('is Unsupported on a provider without topics, and publish() on another trigger kind too', async () => {
    const provider = createMockProvider()
    const cloud = createCloud(provider)
    await expect(cloud.deploy(subscriber())).rejects.toMatchObject({ code: 'InvalidArgument', field: 'trigger' })
    await expect(cloud.topic('orders').publish(1)).rejects.toMatchObject({ code: 'Unsupported', capability: 'triggers.topic' })
    const worker = await createCloud(provider).deploy(defineFunction({ name: 'w', trigger: queue(), handler: () => 1 }))
    await expect((worker as unknown as { publish(m: unknown): Promise<unknown> }).publish(1)).rejects.toMatchObject({
      code: 'Unsupported',
      capability: 'triggers.topic',
    })
  })
})
