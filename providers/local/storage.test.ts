import { describe, expect, it } from 'vitest'
import { defineFunction, type StorageEvent, storage } from '../../src/index.ts'
import { local } from './index.ts'

describe('local storage', () => {
  it('retries a failing event as an asynchronous invoke does (three deliveries), other functions unaffected', async () => {
    const cloud = local({ queueRetryDelayMs: 0 })
    try {
      const got: string[] = []
      const on = (name: string, fail: boolean) =>
        defineFunction({
          name,
          trigger: storage({ bucket: 'uploads' }),
          handler: (event: StorageEvent) => {
            got.push(`${name}:${event.key}`)
            if (fail) throw new Error('no')
          },
        })
      await cloud.deploy(on('flaky', true))
      await cloud.deploy(on('steady', false))
      expect(cloud.storage.put('uploads', 'a.txt', 'hello')).toEqual({ etag: '5d41402abc4b2a76b9719d911017c592' })
      await cloud.storage.idle()
      expect(got.sort()).toEqual(['flaky:a.txt', 'flaky:a.txt', 'flaky:a.txt', 'steady:a.txt'])
    } finally {
      await cloud.triggers.close()
    }
  })

  it('refuses a missing bucket and a bad key; deleting a missing object fires nothing; a moved subscriber leaves its old bucket', async () => {
    const cloud = local()
    try {
      expect(() => cloud.storage.put('nowhere', 'a', 'x')).toThrow(expect.objectContaining({ code: 'NotFound' }))
      const got: StorageEvent[] = []
      const reader = (bucket: string) =>
        defineFunction({
          name: 'reader',
          trigger: storage({ bucket, events: ['deleted'] }),
          handler: (event: StorageEvent) => void got.push(event),
        })
      await cloud.deploy(reader('first'))
      expect(() => cloud.storage.put('first', '', 'x')).toThrow(expect.objectContaining({ field: 'key' }))
      expect(cloud.storage.delete('first', 'missing')).toEqual({ removed: false })
      await cloud.deploy(reader('second'))
      expect(cloud.storage.list().map((bucket) => bucket.name)).toEqual(['second'])
      await cloud.storage.idle()
      expect(got).toEqual([])
    } finally {
      await cloud.triggers.close()
    }
  })
})
