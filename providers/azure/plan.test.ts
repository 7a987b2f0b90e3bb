import { afterEach, describe, expect, it, vi } from 'vitest'
import { httpEcho, morning, ticker, versionOne, worker } from '../../conformance/fixtures/functions.ts'
import { storageRecorder } from '../../conformance/fixtures/storage.ts'
import { topicWorker } from '../../conformance/fixtures/topics.ts'
import { refusedAlike } from '../../conformance/scenarios/plan-refusals.ts'
import { deployWritesOnlyItsPlan, recordWrites, type Write } from '../../conformance/scenarios/plan-writes.ts'
import { withOverrides } from '../../src/define.ts'
import { queue } from '../../src/triggers/queue.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { storage } from '../../src/triggers/storage.ts'
import { topic } from '../../src/triggers/topic.ts'
import { refuseSubscriptionWideList, theirSystemTopic } from './__fixtures__/system-topics.ts'
import { KIT_SCOPE, type Kit, SUBSCRIPTION, startKit } from './__fixtures__/test-kit.ts'
import { appName, storageAccountName } from './names.ts'
import { systemTopicName } from './triggers/storage.ts'
import { deadLetterContainer } from './triggers/topic.ts'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe('azure plan refuses what deploy refuses, with the same error, writing nothing', () => {
  const refused = (current: Kit, definition: Parameters<typeof refusedAlike>[2], name: string) =>
    refusedAlike(current.cloud, () => current.emulator.state.writeCount, definition, name)

  it('maxInstances set twice', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const both = withOverrides(versionOne, { maxInstances: 2, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    await refused(kit, both, 'plan-max')
  })

  it('minInstances above the ceiling', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const warm = withOverrides(versionOne, { minInstances: 5, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    await refused(kit, warm, 'plan-min')
  })

  it('a queue name Azure cannot have', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    await refused(kit, withOverrides(worker, { trigger: queue({ name: 'ab' }) }), 'plan-short-queue')
  })

  it("another function's queue", async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const owned = withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) })
    await kit.cloud.deploy(owned, { name: 'plan-owner' })
    await refused(kit, owned, 'plan-intruder')
  })
})

/**
 * A write as the emulator counts one (emulator/index.ts isWrite): not GET or
 * HEAD, nor a POST to an ARM `list…` action.
 */
const isWrite = (request: Request) =>
  request.method !== 'GET' &&
  request.method !== 'HEAD' &&
  !(request.method === 'POST' && /\/list[a-z]*$/i.test(new URL(request.url).pathname))

/**
 * Which plan changes a write to ARM or the app's scm site belongs to. A new
 * app's infrastructure (resource group and storage account when missing, its
 * plan and package container) is part of its creation; the site and its
 * settings are the configuration, the package, the trigger sync and the
 * tags that record the code hash are the code; Storage queues are queues.
 */
function explain({ method, url }: Write): string[] {
  const path = url.pathname.toLowerCase()
  const created = ['create-function']
  if (url.host.endsWith('.scm.azurewebsites.net')) return [...created, 'update-code']
  const queue = /\/queueservices\/default\/queues\/([^/]+)$/.exec(path)?.[1]
  if (queue) return [`${method === 'DELETE' ? 'delete' : 'create'}-queue queue:${queue}`]
  // Event Grid (triggers/topic.ts): the shared topic, a subscriber's event subscription (its link), its dead-letter container.
  const subscription = /\/providers\/microsoft\.eventgrid\/topics\/([^/]+)\/eventsubscriptions\/[^/]+$/.exec(path)?.[1]
  if (subscription) return [`update-topic-link topic:${subscription}`]
  const topic = /\/providers\/microsoft\.eventgrid\/topics\/([^/]+)$/.exec(path)?.[1]
  if (topic) return [`${method === 'DELETE' ? 'delete' : 'create'}-topic topic:${topic}`]
  // Blob Storage events (triggers/storage.ts): the account's system topic, a subscriber's event subscription on it, the bucket.
  if (/\/providers\/microsoft\.eventgrid\/systemtopics\/[^/]+\/eventsubscriptions\/[^/]+$/.test(path))
    return ['update-storage-link']
  const systemTopic = /\/providers\/microsoft\.eventgrid\/systemtopics\/([^/]+)$/.exec(path)?.[1]
  if (systemTopic) return [`${method === 'DELETE' ? 'delete' : 'create'}-topic topic:${systemTopic}`]
  const bucket = /\/blobservices\/default\/containers\/((?!dead-letter-|app-package-)[^/]+)$/.exec(path)?.[1]
  if (bucket) return [`${method === 'DELETE' ? 'delete' : 'create'}-bucket bucket:${bucket}`]
  const deadLetters = /\/blobservices\/default\/containers\/(dead-letter-[^/]+)$/.exec(path)?.[1]
  if (deadLetters) {
    const container = `container:${deadLetters}`
    // Joining a topic makes sure the container its link names exists (a PUT Azure answers 409 when it does).
    return method === 'DELETE' ? [`delete-queue ${container}`] : [`create-queue ${container}`, 'update-topic-link']
  }
  if (path.endsWith('/syncfunctiontriggers')) return [...created, 'update-code']
  if (path.endsWith('/providers/microsoft.resources/tags/default')) return [...created, 'update-code', 'update-config']
  if (path.endsWith('/config/appsettings') || /\/sites\/[^/]+$/.test(path)) return [...created, 'update-config']
  if (/\/resourcegroups\/[^/]+$/.test(path) || /\/(storageaccounts|serverfarms)\/[^/]+$/.test(path)) return created
  if (path.includes('/blobservices/default/containers/')) return created
  return []
}

/** Same trigger and settings as `ticker`, other code. */
const everyFiveMinutes = withOverrides(morning, { trigger: schedule('rate(5 minutes)') })

/** A deploy step of `name` on the kit's cloud, checked against its plan (deployWritesOnlyItsPlan); answers the planned changes. */
function planThenDeploy(current: Kit, name: string) {
  const recorded = {
    cloud: current.cloud,
    writes: recordWrites(current.server, isWrite),
    writeCount: () => current.emulator.state.writeCount,
    explain,
  }
  return async (definition: Parameters<typeof deployWritesOnlyItsPlan>[1]) => {
    const { plan } = await deployWritesOnlyItsPlan(recorded, definition, name)
    return plan.changes.map((change) => `${change.kind} ${change.resource}`)
  }
}

describe('azure deploy applies its plan: every write it makes is a change its plan lists', () => {
  it('first deploy, unchanged redeploy, code, env and trigger changes, and a queue made again', async () => {
    kit = startKit()
    const current = kit
    const step = planThenDeploy(current, 'plan-writes')
    expect(await step(ticker)).toEqual(['create-function function:plan-writes', 'create-schedule schedule:plan-writes'])
    expect(await step(ticker)).toEqual([])
    // Same trigger and settings, other code: the package alone, not the site nor its settings.
    expect(await step(everyFiveMinutes)).toEqual(['update-code function:plan-writes'])
    expect(await step(withOverrides(everyFiveMinutes, { env: { MODE: 'fast' } }))).toEqual(['update-config function:plan-writes'])
    expect(await step(worker)).toEqual([
      'update-code function:plan-writes',
      'update-config function:plan-writes',
      'create-queue queue:plan-writes',
      'create-queue queue:plan-writes-poison',
      'delete-schedule schedule:plan-writes',
      'update-queue-link queue:plan-writes',
    ])
    // What a deploy that stopped before its poison queue leaves: the next one (new code here) makes it, as planned.
    const account = [...current.emulator.state.storageAccounts.values()][0]
    expect(account?.queues.delete('plan-writes-poison')).toBe(true)
    const sameQueue = withOverrides(everyFiveMinutes, { trigger: queue({ maxRetries: 4 }) })
    expect(await step(sameQueue)).toEqual(['update-code function:plan-writes', 'create-queue queue:plan-writes-poison'])
    expect(await step(httpEcho)).toContain('delete-queue queue:plan-writes-poison')
    await current.cloud.remove('plan-writes')
  }, 120_000)

  it('a topic subscriber: the Event Grid topic, its link and dead-letter container, as planned', async () => {
    kit = startKit()
    const current = kit
    const step = planThenDeploy(current, 'plan-topic')
    const container = `container:${deadLetterContainer(appName(KIT_SCOPE, 'plan-topic'))}`
    const subscriber = (options: { maxRetries?: number } = {}) =>
      withOverrides(topicWorker, { trigger: topic({ name: 'plan-orders', ...options }) })
    expect(await step(subscriber())).toEqual([
      'create-function function:plan-topic',
      'create-topic topic:plan-orders',
      `create-queue ${container}`,
      'update-topic-link topic:plan-orders',
    ])
    expect(await step(subscriber())).toEqual([])
    expect(await step(subscriber({ maxRetries: 3 }))).toEqual([
      'update-config function:plan-topic',
      'update-topic-link topic:plan-orders',
    ])
    // A queue named after the function has the portable dead-letter name of a topic subscriber: the container still goes.
    expect(await step(withOverrides(worker, { trigger: queue({ name: 'plan-topic' }) }))).toEqual([
      'update-code function:plan-topic',
      'update-config function:plan-topic',
      'create-queue queue:plan-topic',
      'create-queue queue:plan-topic-poison',
      'update-topic-link topic:plan-orders',
      'update-queue-link queue:plan-topic',
      `delete-queue ${container}`,
      'delete-topic topic:plan-orders',
    ])
    expect(current.emulator.state.eventGrid.topics.size).toBe(0)
    await current.cloud.remove('plan-topic')
  }, 120_000)
  it("a storage subscriber: the account's system topic, the bucket and its link, as planned", async () => {
    kit = startKit()
    const current = kit
    const step = planThenDeploy(current, 'plan-store')
    const topic = `topic:${systemTopicName(storageAccountName(KIT_SCOPE))}`
    const on = (bucket: string, prefix?: string) =>
      withOverrides(storageRecorder, { trigger: storage({ bucket, ...(prefix ? { prefix } : {}) }) })
    expect(await step(on('plan-photos'))).toEqual([
      'create-function function:plan-store',
      `create-topic ${topic}`,
      'create-bucket bucket:plan-photos',
      'update-storage-link bucket:plan-photos',
    ])
    expect(await step(on('plan-photos'))).toEqual([])
    // The system topic deleted outside cloudfn (its event subscriptions with it): a settings change makes both again.
    current.emulator.state.eventGrid.systemTopics.clear()
    expect(await step(withOverrides(on('plan-photos'), { env: { MODE: 'again' } }))).toEqual([
      'update-config function:plan-store',
      `create-topic ${topic}`,
      'update-storage-link bucket:plan-photos',
    ])
    expect(await step(on('plan-photos', 'in/'))).toEqual([
      'update-config function:plan-store',
      'update-storage-link bucket:plan-photos',
    ])
    expect(await step(on('plan-other'))).toEqual([
      'update-config function:plan-store',
      'create-bucket bucket:plan-other',
      'update-storage-link bucket:plan-other',
      'update-storage-link bucket:plan-photos',
      'delete-bucket bucket:plan-photos',
    ])
    // A plan (and `--dry-run`) only reads, also where it asks whether a bucket is empty (the account's keys: a list action).
    const written = current.emulator.state.writeCount
    await current.cloud.plan(versionOne, { name: 'plan-store' })
    expect(current.emulator.state.writeCount).toBe(written)
    expect(await step(versionOne)).toEqual([
      'update-code function:plan-store',
      'update-config function:plan-store',
      'update-storage-link bucket:plan-other',
      'delete-bucket bucket:plan-other',
      `delete-topic ${topic}`,
    ])
    expect(current.emulator.state.eventGrid.systemTopics.size).toBe(0)
    await current.cloud.remove('plan-store')
  }, 120_000)

  it('a topic subscriber whose own event subscription went outside cloudfn, one other left: the topic stays, as planned', async () => {
    kit = startKit()
    const current = kit
    const step = planThenDeploy(current, 'plan-left')
    const on = withOverrides(topicWorker, { trigger: topic({ name: 'plan-shared-orders' }) })
    await current.cloud.deploy(on, { name: 'plan-other' })
    await step(on)
    // Deleted in the portal: the topic now holds plan-other's subscription alone.
    const [orders] = current.emulator.state.eventGrid.topics.values()
    expect(orders?.subscriptions.delete('cloudfn-plan-left')).toBe(true)
    // Leaving keeps the topic (plan-other still subscribes): the plan must not list its delete either.
    const container = `container:${deadLetterContainer(appName(KIT_SCOPE, 'plan-left'))}`
    expect(await step(versionOne)).toEqual([
      'update-code function:plan-left',
      'update-config function:plan-left',
      'update-topic-link topic:plan-shared-orders',
      `delete-queue ${container}`,
    ])
    expect([...current.emulator.state.eventGrid.topics.values()].map((left) => left.name)).toEqual(['plan-shared-orders'])
    await current.cloud.remove('plan-left')
    await current.cloud.remove('plan-other')
  }, 120_000)

  it('a storage subscriber whose own event subscription went outside cloudfn, one other left: the system topic stays, as planned', async () => {
    kit = startKit()
    const current = kit
    const step = planThenDeploy(current, 'plan-gone')
    const topic = systemTopicName(storageAccountName(KIT_SCOPE))
    const on = (bucket: string) => withOverrides(storageRecorder, { trigger: storage({ bucket }) })
    await current.cloud.deploy(on('plan-company'), { name: 'plan-company' })
    await step(on('plan-alone'))
    // Deleted in the portal: the topic now holds plan-company's subscription alone.
    const [systemTopic] = current.emulator.state.eventGrid.systemTopics.values()
    const subscriptions = systemTopic?.subscriptions
    expect(subscriptions?.delete('cloudfn-plan-gone')).toBe(true)
    // The deploy keeps the topic (one subscription is left after its own delete): the plan must not list its delete.
    expect(await step(versionOne)).toEqual([
      'update-code function:plan-gone',
      'update-config function:plan-gone',
      'update-storage-link bucket:plan-alone',
      'delete-bucket bucket:plan-alone',
    ])
    expect([...current.emulator.state.eventGrid.systemTopics.values()].map((left) => left.name)).toEqual([topic])
    await current.cloud.remove('plan-gone')
    await current.cloud.remove('plan-company')
  }, 120_000)

  it('without read access on the subscription, a subscriber leaving a bucket whose system topic is in another group: no delete-bucket planned nor made', async () => {
    kit = startKit()
    const current = kit
    const step = planThenDeploy(current, 'plan-refused')
    const on = withOverrides(storageRecorder, { trigger: storage({ bucket: 'plan-shared' }) })
    await current.cloud.deploy(versionOne, { name: 'plan-first' })
    const account = storageAccountName(KIT_SCOPE)
    const source = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${KIT_SCOPE.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}`
    await theirSystemTopic(current, source)
    await current.cloud.deploy(on, { name: 'plan-refused' })
    await current.cloud.deploy(on, { name: 'plan-stayer' })
    refuseSubscriptionWideList(current)
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      expect(await step(versionOne)).toEqual([
        'update-code function:plan-refused',
        'update-config function:plan-refused',
        'update-storage-link bucket:plan-shared',
      ])
    } finally {
      warn.mockRestore()
      current.server.resetHandlers()
    }
    expect(current.emulator.state.storageAccount(account)?.containers.has('plan-shared')).toBe(true)
    for (const name of ['plan-refused', 'plan-stayer', 'plan-first']) await current.cloud.remove(name)
  }, 120_000)
})
