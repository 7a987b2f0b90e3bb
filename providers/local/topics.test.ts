import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { topicRecorder } from '../../conformance/fixtures/topics.ts'
import { createInboxes } from '../../conformance/inbox.ts'
import { withOverrides } from '../../src/define.ts'
import { defineFunction, topic } from '../../src/index.ts'
import { local } from './index.ts'

/** A subscriber that records what it got and throws for messages marked `fail` (its own name in the list). */
function subscriber(name: string, got: Array<[string, unknown]>, options: { maxRetries?: number } = {}) {
  return defineFunction({
    name,
    trigger: topic({ name: 'orders', ...options }),
    handler: (message: { id: number; failFor?: string[] }) => {
      got.push([name, message])
      if (message.failFor?.includes(name)) throw new Error(`${name} refuses ${message.id}`)
      return message.id
    },
  })
}

describe('local topics', () => {
  it('deliver every message to every subscriber; a failing copy is retried and dead-lettered for that subscriber only', async () => {
    const cloud = local({ queueRetryDelayMs: 0 })
    try {
      const got: Array<[string, unknown]> = []
      const audit = await cloud.deploy(subscriber('audit', got, { maxRetries: 1 }))
      await cloud.deploy(subscriber('mailer', got))
      await audit.publish({ id: 1 })
      await cloud.topic('orders').publish({ id: 2, failFor: ['audit'] })
      await cloud.triggers.topics.idle('orders')
      const of = (name: string) => got.filter(([who]) => who === name).map(([, message]) => message)
      // audit: one retry of the failing copy (maxRetries 1); mailer: the default 2 retries were never needed.
      expect(of('audit')).toEqual([{ id: 1 }, { id: 2, failFor: ['audit'] }, { id: 2, failFor: ['audit'] }])
      expect(of('mailer')).toEqual([{ id: 1 }, { id: 2, failFor: ['audit'] }])
      expect(cloud.triggers.deadLetters('audit')).toEqual([JSON.stringify({ id: 2, failFor: ['audit'] })])
      expect(cloud.triggers.deadLetters('mailer')).toEqual([])
    } finally {
      await cloud.triggers.close()
    }
  })

  it('keep a topic while any subscriber remains and remove it with the last one', async () => {
    const cloud = local()
    try {
      const got: Array<[string, unknown]> = []
      const audit = await cloud.deploy(subscriber('audit', got))
      const mailer = await cloud.deploy(subscriber('mailer', got))
      expect(cloud.triggers.topics.list()).toEqual([{ name: 'orders', subscribers: ['audit', 'mailer'] }])
      await audit.remove()
      expect(cloud.triggers.topics.list()).toEqual([{ name: 'orders', subscribers: ['mailer'] }])
      await cloud.topic('orders').publish({ id: 3 })
      await cloud.triggers.topics.idle('orders')
      expect(got).toEqual([['mailer', { id: 3 }]])
      await mailer.remove()
      expect(cloud.triggers.topics.list()).toEqual([])
      await expect(cloud.topic('orders').publish({ id: 4 })).rejects.toMatchObject({ code: 'NotFound', resource: 'orders' })
    } finally {
      await cloud.triggers.close()
    }
  })

  it('moves a subscriber whose trigger changes, and redeploying keeps its subscription', async () => {
    const cloud = local()
    try {
      const got: Array<[string, unknown]> = []
      await cloud.deploy(subscriber('audit', got))
      await cloud.deploy(subscriber('audit', got, { maxRetries: 0 }))
      expect(cloud.triggers.topics.list()).toEqual([{ name: 'orders', subscribers: ['audit'] }])
      await cloud.deploy(defineFunction({ name: 'audit', trigger: topic({ name: 'refunds' }), handler: () => 0 }))
      expect(cloud.triggers.topics.list()).toEqual([{ name: 'refunds', subscribers: ['audit'] }])
      await cloud.deploy(defineFunction({ name: 'audit', handler: () => 0 }))
      expect(cloud.triggers.topics.list()).toEqual([])
    } finally {
      await cloud.triggers.close()
    }
  })

  it('persisted: another process publishing loads every saved subscriber and delivers before it answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudfn-topics-'))
    const inboxes = createInboxes()
    const [a, b] = [inboxes.open(), inboxes.open()]
    const clouds = [local({ isolation: 'worker', persistDir: dir }), local({ isolation: 'worker', persistDir: dir })]
    try {
      const [deployer, publisher] = clouds as [ReturnType<typeof local>, ReturnType<typeof local>]
      for (const [name, inbox] of [
        ['sub-a', a],
        ['sub-b', b],
      ] as const) {
        await deployer.deploy(withOverrides(topicRecorder, { env: inbox.env, trigger: topic({ name: 'persisted' }) }), { name })
      }
      // The CLI's case: a fresh process that never deployed them, publishing once and exiting.
      await publisher.topic('persisted').publish({ n: 1 })
      expect(a.deliveries()).toEqual([{ defined: true, received: { n: 1 } }])
      expect(b.deliveries()).toEqual([{ defined: true, received: { n: 1 } }])
    } finally {
      for (const cloud of clouds) await cloud.triggers.close()
      for (const cloud of clouds) for (const deployment of cloud.store.deployments.values()) await deployment.runner.retire()
      inboxes.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
