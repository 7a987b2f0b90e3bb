import { describe, expect, it } from 'vitest'
import { queue, storage, topic } from '../src/index.ts'
import { describeTrigger } from './describe-trigger.ts'

describe('describeTrigger', () => {
  it('names topics and buckets for what they are (a topic read as a queue showed "retries undefined")', () => {
    expect(describeTrigger(queue({ name: 'jobs', maxRetries: 3 }))).toBe('queue jobs (retries 3)')
    expect(describeTrigger(topic({ name: 'orders' }))).toBe('topic orders')
    expect(describeTrigger(topic({ name: 'orders', maxRetries: 1 }))).toBe('topic orders (retries 1)')
    expect(describeTrigger(storage({ bucket: 'photos', prefix: 'in/', suffix: '.jpg', events: ['created', 'deleted'] }))).toBe(
      'storage photos/in/*.jpg (created, deleted)',
    )
  })
})
