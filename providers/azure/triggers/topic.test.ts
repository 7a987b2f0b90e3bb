import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid'
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it } from 'vitest'
import { caughtError, eventually } from '../../../conformance/expect.ts'
import { SUBSCRIBER_ENV, topicWorker } from '../../../conformance/fixtures/topics.ts'
import { withOverrides } from '../../../src/define.ts'
import { topic } from '../../../src/triggers/topic.ts'
import { type Kit, SUBSCRIPTION, startKit } from '../__fixtures__/test-kit.ts'
import { appName, storageAccountName } from '../names.ts'
import { topicPayloadOf } from './events.ts'
import { deadLetterContainer } from './topic.ts'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

const GROUP = 'cloudfn-tests'
const scope = { subscriptionId: SUBSCRIPTION, resourceGroup: GROUP }
/** A subscriber that handles every message (it fails only those whose `failFor` names its SUBSCRIBER_ENV). */
const on = (name: string, options: { maxRetries?: number } = {}) =>
  withOverrides(topicWorker, { env: { [SUBSCRIBER_ENV]: 'any' }, trigger: topic({ name, ...options }) })
const topicOf = (current: Kit, name: string) => current.emulator.state.eventGrid.topics.get(`${GROUP}/${name}`.toLowerCase())
/** A topic's event subscriptions as ARM holds them: name, the function delivered to, retries and dead letter. */
const subscriptionsOf = (current: Kit, name: string) =>
  [...(topicOf(current, name)?.subscriptions.values() ?? [])]
    .map((sub) => ({
      name: sub.name,
      to: sub.destination.resourceId.replace(/^.*\/sites\//, ''),
      batch: sub.destination.maxEventsPerBatch,
      attempts: sub.retryPolicy.maxDeliveryAttempts,
      deadLetter: sub.deadLetter?.blobContainerName,
      labels: sub.labels,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
const containers = (current: Kit) => current.emulator.state.storageAccount(storageAccountName(scope))?.containers ?? new Set()

describe('azure topic triggers (Event Grid)', () => {
  it('share one tagged custom topic with an event subscription and dead-letter container per subscriber; the last one out deletes the topic', async () => {
    kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('orders'), { name: 'audit-fn' })
    await cloud.deploy(on('orders', { maxRetries: 9 }), { name: 'mailer-fn' })
    const [audit, mailer] = [appName(scope, 'audit-fn'), appName(scope, 'mailer-fn')]
    expect(topicOf(kit, 'orders')?.tags).toEqual({ 'cloudfn:managed': 'true', 'cloudfn:sharedTopic': 'true' })
    expect(subscriptionsOf(kit, 'orders')).toEqual([
      {
        name: 'cloudfn-audit-fn',
        to: `${audit}/functions/cloudfn-topic`,
        batch: 1,
        attempts: 30,
        deadLetter: deadLetterContainer(audit),
        labels: ['cloudfn-managed', 'cloudfn-function:audit-fn'],
      },
      {
        name: 'cloudfn-mailer-fn',
        to: `${mailer}/functions/cloudfn-topic`,
        batch: 1,
        attempts: 10,
        deadLetter: deadLetterContainer(mailer),
        labels: ['cloudfn-managed', 'cloudfn-function:mailer-fn'],
      },
    ])
    expect(containers(kit).has(deadLetterContainer(audit))).toBe(true)
    expect((await cloud.get('mailer-fn')).trigger).toEqual({ kind: 'topic', name: 'orders', maxRetries: 9 })

    // A new retry count updates the subscription in place (the code is the same, the settings differ).
    await cloud.deploy(on('orders', { maxRetries: 3 }), { name: 'mailer-fn' })
    expect(subscriptionsOf(kit, 'orders').map((sub) => sub.attempts)).toEqual([30, 4])

    await cloud.remove('audit-fn')
    expect(subscriptionsOf(kit, 'orders').map((sub) => sub.name)).toEqual(['cloudfn-mailer-fn'])
    expect(containers(kit).has(deadLetterContainer(audit))).toBe(false)
    await cloud.remove('mailer-fn')
    expect(topicOf(kit, 'orders')).toBeUndefined()
    expect(containers(kit).has(deadLetterContainer(mailer))).toBe(false)
  })

  it('uses a topic cloudfn did not make and never deletes it', async () => {
    kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('theirs'), { name: 'reader-fn' })
    const made = topicOf(kit, 'theirs')
    if (!made) throw new Error('no topic')
    made.tags = {}
    await cloud.remove('reader-fn')
    expect(topicOf(kit, 'theirs')?.subscriptions.size).toBe(0)
  })

  it('moves a subscriber to another topic, keeping its dead-letter container and leaving the old topic to its other subscriber', async () => {
    kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('first'), { name: 'stays-fn' })
    await cloud.deploy(on('first'), { name: 'moves-fn' })
    await cloud.deploy(on('second'), { name: 'moves-fn' })
    expect(subscriptionsOf(kit, 'first').map((sub) => sub.name)).toEqual(['cloudfn-stays-fn'])
    expect(subscriptionsOf(kit, 'second').map((sub) => sub.name)).toEqual(['cloudfn-moves-fn'])
    expect(containers(kit).has(deadLetterContainer(appName(scope, 'moves-fn')))).toBe(true)
    await cloud.remove('moves-fn')
    expect(topicOf(kit, 'second')).toBeUndefined()
    expect(topicOf(kit, 'first')).toBeDefined()
    await cloud.remove('stays-fn')
  })

  it('refuses a topic name Event Grid refuses, naming the field, before any request', async () => {
    kit = startKit()
    const before = kit.emulator.state.requestCount
    for (const name of ['ab', 'microsoft-events']) {
      const error = await caughtError(kit.cloud.deploy(on(name), { name: 'bad-fn' }))
      expect([error.code, (error as { field?: string }).field]).toEqual(['InvalidArgument', 'trigger.name'])
    }
    const retries = await caughtError(kit.cloud.deploy(on('fine', { maxRetries: 30 }), { name: 'bad-fn' }))
    expect([retries.code, (retries as { field?: string }).field]).toEqual(['InvalidArgument', 'trigger.maxRetries'])
    expect(kit.emulator.state.requestCount).toBe(before)
  })

  it('publishes Event Grid schema events the official client can also send (key auth), which every subscriber runs on', async () => {
    kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('shared'), { name: 'one-fn' })
    await cloud.deploy(on('shared'), { name: 'two-fn' })
    const held = topicOf(kit, 'shared')
    if (!held) throw new Error('no topic')
    // What another publisher sends: any object data, published with a topic key.
    const client = new EventGridPublisherClient(
      'https://shared.westeurope-1.eventgrid.azure.net/api/events',
      'EventGrid',
      new AzureKeyCredential(held.keys[0]),
      { retryOptions: { maxRetries: 0 } },
    )
    await client.send([{ eventType: 'their.event', subject: 'x', dataVersion: '1', data: { id: 1 } }])
    await cloud.topic('shared').publish({ id: 2 })
    const executions = () => Promise.all(['one-fn', 'two-fn'].map((name) => kit?.emulator.probe().executions(name)))
    await eventually(async () => (await executions()).every((count) => count === 2), 10_000, 'both events on both subscribers')
    const wrong = new EventGridPublisherClient(
      'https://shared.westeurope-1.eventgrid.azure.net/api/events',
      'EventGrid',
      new AzureKeyCredential('not-a-key'),
      { retryOptions: { maxRetries: 0 } },
    )
    const refused = await wrong.send([{ eventType: 't', subject: 's', dataVersion: '1', data: {} }]).catch((error) => error)
    expect((refused as { statusCode?: number }).statusCode).toBe(401)
    await cloud.remove('one-fn')
    await cloud.remove('two-fn')
    const gone = await caughtError(cloud.topic('shared').publish({ late: true }))
    expect(gone.code).toBe('NotFound')
  })

  it('plans exactly the Event Grid resources the deploy then makes, and the topic the last one out deletes', async () => {
    kit = startKit()
    const { cloud } = kit
    const [first, second] = [appName(scope, 'p-first'), appName(scope, 'p-second')]
    const kinds = async (definition: ReturnType<typeof on>, name: string) =>
      (await cloud.plan(definition, { name })).changes
        .filter((change) => change.kind !== 'create-function')
        .map((change) => [change.kind, change.resource])
    expect(await kinds(on('planned'), 'p-first')).toEqual([
      ['create-topic', 'topic:planned'],
      ['create-queue', `container:${deadLetterContainer(first)}`],
      ['update-topic-link', 'topic:planned'],
    ])
    await cloud.deploy(on('planned'), { name: 'p-first' })
    // The topic exists now: a second subscriber only adds its own container and link.
    expect(await kinds(on('planned'), 'p-second')).toEqual([
      ['create-queue', `container:${deadLetterContainer(second)}`],
      ['update-topic-link', 'topic:planned'],
    ])
    // Moving the only subscriber elsewhere takes the topic with it; the container stays the subscriber's.
    const moved = (await cloud.plan(on('elsewhere'), { name: 'p-first' })).changes.filter((change) =>
      change.resource.startsWith('topic:'),
    )
    expect(moved.map((change) => [change.kind, change.resource])).toEqual([
      ['create-topic', 'topic:elsewhere'],
      ['update-topic-link', 'topic:elsewhere'],
      ['update-topic-link', 'topic:planned'],
      ['delete-topic', 'topic:planned'],
    ])
    await cloud.deploy(on('elsewhere'), { name: 'p-first' })
    expect(topicOf(kit, 'planned')).toBeUndefined()
    expect(topicOf(kit, 'elsewhere')).toBeDefined()
    await cloud.remove('p-first')
  })

  it('gc removes what a gone subscriber left: its event subscription, its dead-letter container, and the topic left empty', async () => {
    kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('left'), { name: 'ghost-fn' })
    const app = appName(scope, 'ghost-fn')
    // The app went another way (the portal, a remove that stopped after deleting it): its subscription stays behind.
    kit.emulator.state.sites.delete(app)
    const dry = await cloud.gc({ olderThanMs: 60_000, dryRun: true })
    expect(dry.removed).toEqual([])
    const result = await cloud.gc({ olderThanMs: 0 })
    expect(result.removed).toEqual(
      expect.arrayContaining([`container:${deadLetterContainer(app)}`, 'event-subscription:left/cloudfn-ghost-fn', 'topic:left']),
    )
    expect(topicOf(kit, 'left')).toBeUndefined()
  })

  it('dead-letters a copy its subscriber failed maxRetries + 1 times as a blob in the documented shape, readable with @azure/storage-blob', async () => {
    kit = startKit({ emulator: { eventGridRetryDelayMs: 1 } })
    const { cloud } = kit
    await cloud.deploy(withOverrides(on('poison', { maxRetries: 1 }), { env: { [SUBSCRIBER_ENV]: 'sad-fn' } }), {
      name: 'sad-fn',
    })
    await cloud.topic('poison').publish({ id: 7, failFor: 'sad-fn' })
    const probe = kit.emulator.probe()
    await eventually(async () => ((await probe.deadLetters?.('sad-fn')) ?? []).length === 1, 10_000, 'the dead letter')
    const account = kit.emulator.state.storageAccount(storageAccountName(scope))
    if (!account) throw new Error('no account')
    const client = new BlobServiceClient(
      `https://${account.name}.blob.core.windows.net`,
      new StorageSharedKeyCredential(account.name, account.keys[0]),
      { retryOptions: { maxTries: 1 } },
    )
    const container = client.getContainerClient(deadLetterContainer(appName(scope, 'sad-fn')))
    const names: string[] = []
    for await (const blob of container.listBlobsFlat()) names.push(blob.name)
    expect(names).toEqual([expect.stringMatching(/^POISON\/CLOUDFN-SAD-FN\/\d{4}\/\d\d\/\d\d\/\d\d\/[0-9a-f-]{36}\.json$/)])
    const [lettered] = JSON.parse((await container.getBlobClient(names[0] ?? '').downloadToBuffer()).toString()) as Array<
      Record<string, unknown>
    >
    expect(lettered).toMatchObject({
      eventType: 'cloudfn.message',
      subject: 'poison',
      data: { message: { id: 7, failFor: 'sad-fn' } },
      deadLetterReason: 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: 2,
      lastHttpStatusCode: 500,
    })
    expect(await kit.emulator.probe().executions('sad-fn')).toBe(2)
    await cloud.remove('sad-fn')
  })

  it("reports Event Grid's refusal of a publish as Unauthorized naming the role the credential needs", async () => {
    kit = startKit()
    await kit.cloud.deploy(on('guarded'), { name: 'guard-fn' })
    // The topic's data plane refuses the token (the credential lacks the data role), as Event Grid answers it.
    kit.server.use(
      http.post(/\.eventgrid\.azure\.net\//, () => HttpResponse.json({ error: { code: 'Unauthorized' } }, { status: 401 })),
    )
    const error = await caughtError(kit.cloud.topic('guarded').publish({ id: 1 }))
    expect([error.code, error.message]).toEqual(['Unauthorized', expect.stringContaining("'EventGrid Data Sender'")])
    kit.server.resetHandlers()
    await kit.cloud.remove('guard-fn')
  })

  it("reads a message back as the shim does: cloudfn's { message } wrapping, or another publisher's whole data", () => {
    expect(topicPayloadOf({ data: { message: [1, 'two'] } })).toBe('[1,"two"]')
    expect(topicPayloadOf({ data: { message: null } })).toBe('null')
    expect(topicPayloadOf({ data: { id: 1 } })).toBe('{"id":1}')
    expect(topicPayloadOf({})).toBe('null')
  })
})
