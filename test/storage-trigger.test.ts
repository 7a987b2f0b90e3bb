import { describe, expect, it } from 'vitest'
import { createCloud, defineFunction, storage } from '../src/index.ts'
import { createMockProvider, MOCK_CAPABILITIES } from '../src/testing/index.ts'
import { matchesStorageFilter } from '../src/triggers/storage.ts'

describe('storage()', () => {
  it('is frozen data with the events in a fixed order and created by default', () => {
    expect(storage({ bucket: 'photos' })).toEqual({
      kind: 'storage',
      bucket: 'photos',
      events: ['created'],
      prefix: undefined,
      suffix: undefined,
    })
    const trigger = storage({ bucket: 'photos', events: ['deleted', 'created'], prefix: 'in/', suffix: '.jpg' })
    expect(trigger.events).toEqual(['created', 'deleted'])
    expect(Object.isFrozen(trigger) && Object.isFrozen(trigger.events)).toBe(true)
    expect(['in/a.jpg', 'in/a.png', 'out/a.jpg', 'in/.jpg'].filter((key) => matchesStorageFilter(trigger, key))).toEqual([
      'in/a.jpg',
      'in/.jpg',
    ])
  })

  it.each([
    [{}, 'trigger.bucket'],
    [{ bucket: 'ab' }, 'trigger.bucket'],
    [{ bucket: `a${'b'.repeat(63)}` }, 'trigger.bucket'],
    [{ bucket: 'Photos' }, 'trigger.bucket'],
    [{ bucket: 'my.photos' }, 'trigger.bucket'],
    [{ bucket: 'my--photos' }, 'trigger.bucket'],
    [{ bucket: '-photos' }, 'trigger.bucket'],
    [{ bucket: 'sthree-photos' }, 'trigger.bucket'],
    [{ bucket: 'photos-s3alias' }, 'trigger.bucket'],
    [{ bucket: 'photos', events: [] }, 'trigger.events'],
    [{ bucket: 'photos', events: ['created', 'modified'] }, 'trigger.events[1]'],
    [{ bucket: 'photos', prefix: '' }, 'trigger.prefix'],
    [{ bucket: 'photos', suffix: 'x'.repeat(1025) }, 'trigger.suffix'],
    [{ bucket: 'photos', filter: 'x' }, 'trigger.filter'],
  ])('refuses %j naming %s', (options, field) => {
    expect(() => storage(options as never)).toThrow(expect.objectContaining({ code: 'InvalidArgument', field }))
  })

  it('refuses events and filters the provider cannot honour before anything is sent', async () => {
    const limited = { events: ['created'] as const, filters: false }
    const provider = createMockProvider({ capabilities: { triggers: { ...MOCK_CAPABILITIES.triggers, storage: limited } } })
    const cloud = createCloud(provider)
    const on = (trigger: ReturnType<typeof storage>) => defineFunction({ name: 'reader', trigger, handler: () => null })
    await expect(cloud.deploy(on(storage({ bucket: 'photos', events: ['deleted'] })))).rejects.toMatchObject({
      field: 'trigger.events[0]',
    })
    await expect(cloud.deploy(on(storage({ bucket: 'photos', suffix: '.jpg' })))).rejects.toMatchObject({
      field: 'trigger.suffix',
    })
    await expect(createCloud(createMockProvider()).deploy(on(storage({ bucket: 'photos' })))).rejects.toMatchObject({
      field: 'trigger',
    })
    expect(provider.calls).toEqual([])
  })
})
