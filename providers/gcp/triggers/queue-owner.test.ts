import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { startEmulated } from '../__fixtures__/setup.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated({ queueRetryDelayMs: 2 })
})
afterAll(() => env.emulator.close())

const on = (name: string) => withOverrides(worker, { trigger: queue({ name }) })
const writes = (from: number) => env.state.requests.slice(from).filter((r) => r.method !== 'GET')
const topicLabels = (topic: string) => env.emulator.pubsub.topics.get(`projects/cloudfn-tests/topics/${topic}`)?.labels

describe('gcp queue ownership', () => {
  it('refuses a second function on a queue another one owns, before changing anything, and lets it in once the owner is gone', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(on('shared-jobs'), { name: 'owner-a' })
    const before = env.state.requests.length
    const error = await caughtError(cloud.deploy(on('shared-jobs'), { name: 'owner-b' }))
    expect([error.code, error.isRetryable]).toEqual(['Conflict', false])
    expect(error.message).toMatch(/'shared-jobs' belongs to function 'owner-a'/)
    expect(writes(before)).toEqual([])
    expect(env.state.byShortName('owner-b')).toBeUndefined()
    expect(topicLabels('shared-jobs')).toMatchObject({ 'cloudfn-function': 'owner-a' })
    // The owner redeploys on its own queue as before.
    expect((await cloud.deploy(on('shared-jobs'), { name: 'owner-a' })).status).toBe('unchanged')
    await cloud.remove('owner-a')
    await cloud.deploy(on('shared-jobs'), { name: 'owner-b' })
    expect(topicLabels('shared-jobs')).toMatchObject({ 'cloudfn-function': 'owner-b' })
    await cloud.remove('owner-b')
  })
})
