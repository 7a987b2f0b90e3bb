import { describe, expect, expectTypeOf, it } from 'vitest'
import { createCloud, defineFunction, type QueueFunctionHandle, queue, type TopicFunctionHandle, topic } from '../src/index.ts'
import { createMockProvider, MOCK_CAPABILITIES } from '../src/testing/index.ts'
import { topicNames } from '../src/triggers/topic.ts'

/** The mock provider with tighter topic limits than its defaults. */
function topicCloud(limits = { maxRetries: { min: 0, max: 2, default: 2 }, namedDeadLetter: false, maxMessageBytes: 64 }) {
  const provider = createMockProvider({ capabilities: { triggers: { ...MOCK_CAPABILITIES.triggers, topic: limits } } })
  return { cloud: createCloud(provider), provider, published: provider.published }
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
    expect(await fn.publish({ id: 1 })).toEqual({ messageId: 'mock-published-1' })
    expect(await cloud.topic<{ id: number }>('orders').publish({ id: 2 })).toEqual({ messageId: 'mock-published-2' })
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
    // The default dead letter is '<function>-dead-letter': here the topic itself.
    await expect(
      cloud.deploy(defineFunction({ name: 'orders', trigger: topic({ name: 'orders-dead-letter' }), handler: () => 1 })),
    ).rejects.toMatchObject({ code: 'InvalidArgument', field: 'trigger.deadLetter' })
    expect(provider.calls).toEqual([])
    const fn = await cloud.deploy(subscriber())
    const before = provider.calls.length
    await expect(fn.publish({ id: 1, padding: 'x'.repeat(64) } as never)).rejects.toMatchObject({ code: 'PayloadTooLarge' })
    expect(() => cloud.topic('Not A Name')).toThrow(expect.objectContaining({ code: 'InvalidArgument', field: 'name' }))
    expect(provider.calls.length).toBe(before)
  })

  it('is Unsupported on a provider without topics, and publish() on another trigger kind too', async () => {
    const { topic: _, ...triggers } = MOCK_CAPABILITIES.triggers
    const provider = createMockProvider({ capabilities: { triggers } })
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

describe('topic handles are typed', () => {
  it('a topic function: publish and invoke, no send or fetch; a queue function has no publish', async () => {
    const cloud = createCloud(createMockProvider())
    const fn = await cloud.deploy(
      defineFunction({ name: 'audit', trigger: topic({ name: 'orders' }), handler: async (order: { id: string }) => order.id }),
    )
    expectTypeOf(fn).toEqualTypeOf<TopicFunctionHandle<{ id: string }, string>>()
    expectTypeOf(fn.publish).parameter(0).toEqualTypeOf<{ id: string }>()
    // @ts-expect-error a topic function is not a queue's
    expect(fn.send).toBeTypeOf('function')
    // @ts-expect-error no HTTP trigger
    expect(fn.fetch).toBeTypeOf('function')
    expectTypeOf(cloud.topic<{ id: string }>('orders').publish).parameter(0).toEqualTypeOf<{ id: string }>()
    const worker = await cloud.deploy(defineFunction({ name: 'w', trigger: queue(), handler: async (n: number) => n }))
    expectTypeOf(worker).toEqualTypeOf<QueueFunctionHandle<number, number>>()
    // @ts-expect-error only topic functions publish
    expect(worker.publish).toBeTypeOf('function')
  })
})
