import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { startEmulated } from '../__fixtures__/setup.ts'
import { gcpForeignQueues } from '../conformance/foreign-queues.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated({ queueRetryDelayMs: 2 })
})
afterAll(() => env.emulator.close())

const on = (name: string) => withOverrides(worker, { trigger: queue({ name }) })
const writes = (from: number) => env.state.requests.slice(from).filter((r) => r.method !== 'GET')
const topicLabels = (topic: string) => env.emulator.pubsub.topics.get(`projects/cloudfn-tests/topics/${topic}`)?.labels
const topicPath = (name: string) => `projects/cloudfn-tests/topics/${name}`
const subscriptionPath = (name: string) => `projects/cloudfn-tests/subscriptions/${name}`

/** Topics and pull subscriptions made outside cloudfn, as the conformance target makes them. */
const foreign = () => gcpForeignQueues(env.emulator, 'cloudfn-tests')
/** What Pub/Sub holds under that name: the topic's and the same-named subscription's labels, and the kept bodies. */
const heldAs = async (name: string) => ({
  ...(await foreign().read(name)),
  subscription: env.emulator.pubsub.subscriptions.get(subscriptionPath(name))?.resource.labels,
})
const THEIRS = { owner: 'someone-else' }

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

  it('refuses a topic, dead-letter topic or keeper subscription cloudfn did not make, touching none of them', async () => {
    const cloud = env.cloudWith()
    await foreign().create('their-jobs', ['a', 'b'])
    const untouched = await heldAs('their-jobs')
    expect(untouched).toEqual({ marker: THEIRS, subscription: THEIRS, messages: ['a', 'b'] })
    const before = env.state.requests.length
    const main = await caughtError(cloud.deploy(on('their-jobs'), { name: 'taker' }))
    expect([main.code, main.isRetryable]).toEqual(['Conflict', false])
    expect(main.message).toMatch(/^Pub\/Sub topic 'their-jobs' exists but was not created by cloudfn/)
    const deadLetter = withOverrides(worker, { trigger: queue({ name: 'taker-jobs', deadLetter: 'their-jobs' }) })
    const refused = await caughtError(cloud.deploy(deadLetter, { name: 'taker' }))
    expect(refused.message).toMatch(
      /^Pub\/Sub topic 'their-jobs' \(the dead-letter queue of 'taker'\) exists but was not created/,
    )
    expect(await heldAs('their-jobs')).toEqual(untouched)
    // A pull subscription made out of band under the dead-letter name (its topic free) refuses too.
    const { pubsub } = env.emulator
    pubsub.subscriptions.set(subscriptionPath('their-keeper'), {
      resource: { name: subscriptionPath('their-keeper'), topic: topicPath('their-jobs') },
      backlog: [],
    })
    const keeper = withOverrides(worker, { trigger: queue({ name: 'taker-jobs', deadLetter: 'their-keeper' }) })
    expect((await caughtError(cloud.deploy(keeper, { name: 'taker' }))).message).toMatch(
      /^Pub\/Sub subscription 'their-keeper' \(the dead-letter queue of 'taker'\) exists but was not created/,
    )
    expect(writes(before)).toEqual([])
    expect(env.state.byShortName('taker')).toBeUndefined()
    expect(topicLabels('taker-jobs')).toBeUndefined()
    expect(await heldAs('their-jobs')).toEqual(untouched)
  })

  it('remove deletes only what is labelled for the function: a dead-letter topic made out of band since stays with its messages', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(on('leaving-jobs'), { name: 'leaving' })
    await foreign().delete('leaving-jobs-dead-letter')
    await foreign().create('leaving-jobs-dead-letter', ['theirs'])
    await cloud.remove('leaving')
    expect(topicLabels('leaving-jobs')).toBeUndefined()
    expect(await heldAs('leaving-jobs-dead-letter')).toEqual({ marker: THEIRS, subscription: THEIRS, messages: ['theirs'] })
  })
})
