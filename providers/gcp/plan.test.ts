import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpEcho, morning, ticker, versionOne, worker } from '../../conformance/fixtures/functions.ts'
import { topicRecorder } from '../../conformance/fixtures/topics.ts'
import { refusedAlike } from '../../conformance/scenarios/plan-refusals.ts'
import { deployWritesOnlyItsPlan, recordWrites, type Write } from '../../conformance/scenarios/plan-writes.ts'
import type { FunctionDefinition } from '../../src/define.ts'
import { withOverrides } from '../../src/define.ts'
import type { DeployPlan } from '../../src/plan.ts'
import { queue } from '../../src/triggers/queue.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { topic } from '../../src/triggers/topic.ts'
import { startEmulated } from './__fixtures__/setup.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

describe('gcp plan', () => {
  it('lists the trigger resources a crashed deploy left missing, writing nothing, and is empty once a deploy repaired them', async () => {
    const cloud = env.cloudWith()
    const name = 'plan-repair'
    await cloud.deploy(ticker, { name })
    expect((await cloud.plan(ticker, { name })).changes).toEqual([])

    // What a deploy that stopped between the function and its Cloud Scheduler job leaves.
    const [jobName, job] = [...env.emulator.scheduler.jobs].find(([key]) => key.endsWith(`${name}`)) ?? []
    expect(jobName).toBeDefined()
    job?.stop()
    env.emulator.scheduler.jobs.delete(jobName ?? '')

    const writes = () => env.state.writeCount
    const before = writes()
    const plan = await cloud.plan(ticker, { name })
    expect(plan.changes.map((change) => `${change.kind} ${change.resource}`)).toEqual([`create-schedule schedule:${name}`])
    expect(writes()).toBe(before)
    expect(env.emulator.scheduler.jobs.has(jobName ?? '')).toBe(false)

    expect((await cloud.deploy(ticker, { name })).status).toBe('updated')
    expect(env.emulator.scheduler.jobs.has(jobName ?? '')).toBe(true)
    expect((await cloud.plan(ticker, { name })).changes).toEqual([])
    await cloud.remove(name)
  })

  describe('refuses what deploy refuses, with the same error, writing nothing', () => {
    const refused = (definition: Parameters<typeof refusedAlike>[2], name: string) =>
      refusedAlike(env.cloudWith(), () => env.state.writeCount, definition, name)

    it('maxInstances set twice', () =>
      refused(withOverrides(versionOne, { maxInstances: 2, providerOptions: { gcp: { maxInstances: 3 } } }), 'plan-max'))
    it('minInstances above the ceiling', () =>
      refused(withOverrides(versionOne, { providerOptions: { gcp: { maxInstances: 2, minInstances: 3 } } }), 'plan-min'))
    it('a bad serviceAccountEmail', () =>
      refused(withOverrides(versionOne, { providerOptions: { gcp: { serviceAccountEmail: 'nobody' } } }), 'plan-sa'))
    it("another function's queue", async () => {
      const cloud = env.cloudWith()
      const owner = await cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) }), { name: 'plan-owner' })
      await refused(withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) }), 'plan-intruder')
      await owner.remove()
    })
    it("a topic that is another function's queue", async () => {
      const cloud = env.cloudWith()
      const owner = await cloud.deploy(worker, { name: 'plan-queue-owner' })
      await refused(withOverrides(topicRecorder, { trigger: topic({ name: 'plan-queue-owner' }) }), 'plan-subscriber')
      await owner.remove()
    })
  })

  describe('topic triggers: the plan lists exactly the Pub/Sub resources the deploy then makes and deletes', () => {
    const short = (full: string) => full.split('/').pop() ?? ''
    /** Topics by short name; subscriptions by full name, each with the short name of its topic. */
    const snapshot = () => ({
      topics: new Set([...env.emulator.pubsub.topics.keys()].map(short)),
      subscriptions: new Map([...env.emulator.pubsub.subscriptions].map(([key, sub]) => [key, short(sub.resource.topic)])),
    })
    const sorted = (values: Iterable<string>) => [...new Set(values)].sort()
    /**
     * What the plan says happens on Pub/Sub: a `topic:` or `queue:` create/delete is a topic made or
     * deleted; a dead-letter queue also has its keeper subscription, a link that delivers is the
     * function's Eventarc subscription on that topic, and a queue or link that goes takes its subscription.
     */
    function expected(plan: DeployPlan) {
      const of = (kinds: string[], match: (detail: string) => boolean = () => true) =>
        sorted(plan.changes.filter((c) => kinds.includes(c.kind) && match(c.detail)).map((c) => c.resource.split(':')[1] ?? ''))
      return {
        createdTopics: of(['create-topic', 'create-queue']),
        deletedTopics: of(['delete-topic', 'delete-queue']),
        subscribedOn: [
          ...of(['create-queue'], (detail) => detail === 'dead-letter queue'),
          ...of(['update-queue-link', 'update-topic-link'], (detail) => detail.startsWith('delivers to')),
        ].sort(),
        unsubscribedOn: [
          ...of(['delete-queue']),
          ...of(['update-topic-link'], (detail) => detail.startsWith('no longer')),
        ].sort(),
      }
    }
    // biome-ignore lint/suspicious/noExplicitAny: any definition is planned then deployed
    async function planThenDeploy(definition: FunctionDefinition<any, any, any>, name: string): Promise<DeployPlan> {
      const cloud = env.cloudWith()
      const before = snapshot()
      const plan = await cloud.plan(definition, { name })
      await cloud.deploy(definition, { name })
      const after = snapshot()
      expect({
        createdTopics: sorted([...after.topics].filter((topic) => !before.topics.has(topic))),
        deletedTopics: sorted([...before.topics].filter((topic) => !after.topics.has(topic))),
        subscribedOn: [...after.subscriptions]
          .filter(([key]) => !before.subscriptions.has(key))
          .map(([, t]) => t)
          .sort(),
        unsubscribedOn: [...before.subscriptions]
          .filter(([key]) => !after.subscriptions.has(key))
          .map(([, t]) => t)
          .sort(),
      }).toEqual(expected(plan))
      // Plan and deploy agree: nothing is left to plan.
      expect((await cloud.plan(definition, { name })).changes).toEqual([])
      return plan
    }
    const listed = (plan: DeployPlan) => plan.changes.map((change) => `${change.kind} ${change.resource}`)
    const on = (topicName: string) => withOverrides(topicRecorder, { trigger: topic({ name: topicName }) })

    it('first and second subscriber, a queue → topic switch, and the last subscriber out', async () => {
      const first = await planThenDeploy(on('plan-orders'), 'plan-sub-a')
      expect(listed(first)).toEqual([
        'create-function function:plan-sub-a',
        'create-topic topic:plan-orders',
        'create-queue queue:plan-sub-a-dead-letter',
        'update-topic-link topic:plan-orders',
        'grant-role role:roles/run.invoker',
      ])
      const second = await planThenDeploy(on('plan-orders'), 'plan-sub-b')
      expect(listed(second)).not.toContain('create-topic topic:plan-orders')

      // A queue → topic switch keeps `<function>-dead-letter`: the topic trigger's dead-letter topic has its name.
      await env.cloudWith().deploy(withOverrides(topicRecorder, { trigger: queue() }), { name: 'plan-sub-c' })
      const switched = await planThenDeploy(on('plan-orders'), 'plan-sub-c')
      expect(listed(switched).filter((change) => !change.includes(' function:'))).toEqual([
        'update-topic-link topic:plan-orders',
        'delete-queue queue:plan-sub-c',
      ])

      // Leaving while others remain keeps the shared topic; the last one out deletes it.
      const moved = await planThenDeploy(on('plan-other'), 'plan-sub-a')
      expect(listed(moved)).not.toContain('delete-topic topic:plan-orders')
      expect(listed(moved)).toContain('create-topic topic:plan-other')
      const toQueue = await planThenDeploy(withOverrides(worker, { trigger: queue() }), 'plan-sub-b')
      expect(listed(toQueue)).toContain('update-topic-link topic:plan-orders')
      expect(listed(toQueue)).not.toContain('delete-topic topic:plan-orders')
      const last = await planThenDeploy(on('plan-other'), 'plan-sub-c')
      expect(listed(last)).toContain('delete-topic topic:plan-orders')
      expect(listed(last)).not.toContain('create-topic topic:plan-other')
      for (const name of ['plan-sub-a', 'plan-sub-b', 'plan-sub-c']) await env.cloudWith().remove(name)
    })
  })
})

/**
 * Which plan changes a write to Google's REST APIs belongs to: the function's
 * own (Cloud Functions v2, and the upload of its source to the signed URL),
 * Cloud Run's invoker policy, the Scheduler job, and the Pub/Sub topics,
 * keeper and Eventarc subscriptions (whose dead-letter policy and IAM grants
 * make a queue's or a topic's link).
 */
function explain({ method, url }: Write): string[] {
  const path = url.pathname
  const last = decodeURIComponent(path.split('/').pop() ?? '')
  const fnWrites = ['create-function', 'replace-function', 'update-code']
  if (path.startsWith('/gcf-v2-uploads') || last.endsWith(':generateUploadUrl')) return fnWrites
  if (url.host === 'cloudfunctions.googleapis.com') {
    if (method === 'POST')
      return ['create-function', 'replace-function'].map((kind) => `${kind} function:${url.searchParams.get('functionId')}`)
    if (method === 'PATCH') return ['update-code', 'update-config'].map((kind) => `${kind} function:${last}`)
    if (method === 'DELETE') return [`replace-function function:${last}`]
  }
  if (path.includes('/services/') && last.endsWith(':setIamPolicy')) return ['grant-role', 'revoke-role']
  if (url.host === 'cloudscheduler.googleapis.com') {
    const job = last.replace(/^cloudfn-/, 'schedule:')
    if (method === 'POST') return ['create-schedule', 'update-schedule']
    return [`${method === 'DELETE' ? 'delete' : 'update'}-schedule ${job}`, `create-schedule ${job}`]
  }
  if (url.host === 'pubsub.googleapis.com') {
    const [resource = '', action] = last.split(':')
    const links = ['update-queue-link', 'update-topic-link']
    if (resource.startsWith('eventarc-')) return links
    const made = method === 'PUT' || action === 'setIamPolicy'
    const kinds = path.includes('/topics/') && !action ? [`${made ? 'create' : 'delete'}-topic topic:${resource}`] : []
    return [...kinds, `${made ? 'create' : 'delete'}-queue queue:${resource}`, ...(action ? links : [])]
  }
  return []
}

/** Same trigger and settings as `ticker`, other code. */
const everyFiveMinutes = withOverrides(morning, { trigger: schedule('rate(5 minutes)') })

describe('gcp deploy applies its plan: every write it makes is a change its plan lists', () => {
  it('first deploy, unchanged redeploy, code, env and trigger changes, a missing Scheduler job, and a replacement', async () => {
    const recorded = {
      cloud: env.cloudWith(),
      writes: recordWrites(env.server, (request) => request.method !== 'GET' && request.method !== 'HEAD'),
      writeCount: () => env.state.writeCount,
      explain,
    }
    const step = async (definition: Parameters<typeof deployWritesOnlyItsPlan>[1]) => {
      const { plan } = await deployWritesOnlyItsPlan(recorded, definition, 'plan-writes')
      return plan.changes.map((change) => `${change.kind} ${change.resource}`)
    }
    expect(await step(ticker)).toEqual([
      'create-function function:plan-writes',
      'create-schedule schedule:plan-writes',
      'grant-role role:roles/run.invoker',
    ])
    expect(await step(ticker)).toEqual([])
    // Same trigger and settings, other code: the code alone, and nothing of the schedule.
    expect(await step(everyFiveMinutes)).toEqual(['update-code function:plan-writes'])
    expect(await step(withOverrides(everyFiveMinutes, { env: { MODE: 'fast' } }))).toEqual(['update-config function:plan-writes'])
    // What a deploy that stopped before its Scheduler job leaves: the next one (new code here) makes it, as planned.
    const jobs = env.emulator.scheduler.jobs
    const [jobName, job] = [...jobs].find(([key]) => key.endsWith('/cloudfn-plan-writes')) ?? []
    job?.stop()
    expect(jobs.delete(jobName ?? '')).toBe(true)
    expect(await step(withOverrides(ticker, { env: { MODE: 'fast' } }))).toEqual([
      'update-code function:plan-writes',
      'create-schedule schedule:plan-writes',
    ])
    // A longer timeout gives the job a longer attempt deadline.
    expect(await step(withOverrides(ticker, { env: { MODE: 'fast' }, timeoutSec: 120 }))).toEqual([
      'update-config function:plan-writes',
      'update-schedule schedule:plan-writes',
    ])
    expect(await step(withOverrides(everyFiveMinutes, { trigger: schedule('rate(1 hour)') }))).toContain(
      'update-schedule schedule:plan-writes',
    )
    expect(await step(worker)).toContain('replace-function function:plan-writes')
    expect(await step(withOverrides(topicRecorder, { trigger: topic({ name: 'plan-writes-orders' }) }))).toContain(
      'delete-queue queue:plan-writes',
    )
    expect(await step(httpEcho)).toContain('delete-topic topic:plan-writes-orders')
    await env.cloudWith().remove('plan-writes')
  })
})
