import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { HttpResponse, http } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { versionOne } from '../../../conformance/fixtures/functions.ts'
import { storageRecorder } from '../../../conformance/fixtures/storage.ts'
import { withOverrides } from '../../../src/define.ts'
import { storage } from '../../../src/triggers/storage.ts'
import type { StorageEventType } from '../../../src/triggers/types.ts'
import { refuseSubscriptionWideList, THEIR_TOPIC, theirSystemTopic } from '../__fixtures__/system-topics.ts'
import { KIT_SCOPE, type Kit, kitPerTest, SUBSCRIPTION } from '../__fixtures__/test-kit.ts'
import { appName, storageAccountName } from '../names.ts'
import { azurePackages } from '../packages.ts'
import { systemTopicName } from './storage.ts'

// Each test's kit is closed when it ends (passed or not).
const startKit = kitPerTest()

const GROUP = KIT_SCOPE.resourceGroup
const scope = KIT_SCOPE
const account = storageAccountName(scope)
const accountId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Storage/storageAccounts/${account}`

const on = (bucket: string, options: { events?: StorageEventType[]; prefix?: string; suffix?: string } = {}) =>
  withOverrides(storageRecorder, { trigger: storage({ bucket, ...options }) })
const systemTopics = (current: Kit) => [...current.emulator.state.eventGrid.systemTopics.values()]
/** The system topic's event subscriptions as Event Grid holds them: the function delivered to and the filter. */
const subscriptionsOf = (current: Kit) =>
  systemTopics(current)
    .flatMap((topic) => [...topic.subscriptions.values()])
    .map((sub) => ({
      name: sub.name,
      to: sub.destination.resourceId.replace(/^.*\/sites\//, ''),
      filter: sub.filter,
      labels: sub.labels,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
const containers = (current: Kit) => current.emulator.state.storageAccount(account)?.containers ?? new Set<string>()
/** The Blob service as a user reaches it: @azure/storage-blob with the account key. */
function blobs(current: Kit): BlobServiceClient {
  const found = current.emulator.state.storageAccount(account)
  if (!found) throw new Error('no account')
  return new BlobServiceClient(
    `https://${account}.blob.core.windows.net`,
    new StorageSharedKeyCredential(account, found.keys[0]),
    {
      retryOptions: { maxTries: 1 },
    },
  )
}

describe('azure storage triggers (Event Grid system topic)', () => {
  it("subscribe each function on the account's one system topic with Event Grid's own filter; the last one out deletes the container and topic cloudfn made", async () => {
    const kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('photos', { events: ['created', 'deleted'], prefix: 'in/', suffix: '.jpg' }), { name: 'thumbs' })
    await cloud.deploy(on('photos'), { name: 'audit' })
    expect(systemTopics(kit).map((topic) => ({ name: topic.name, tags: topic.tags, system: topic.system }))).toEqual([
      {
        name: systemTopicName(account),
        tags: { 'cloudfn:managed': 'true', 'cloudfn:sharedTopic': 'true' },
        system: { source: accountId, topicType: 'Microsoft.Storage.StorageAccounts' },
      },
    ])
    expect(subscriptionsOf(kit)).toEqual([
      {
        name: 'cloudfn-audit',
        to: `${appName(scope, 'audit')}/functions/cloudfn-storage`,
        filter: {
          includedEventTypes: ['Microsoft.Storage.BlobCreated'],
          subjectBeginsWith: '/blobServices/default/containers/photos/blobs/',
          isSubjectCaseSensitive: true,
        },
        labels: ['cloudfn-managed', 'cloudfn-function:audit'],
      },
      {
        name: 'cloudfn-thumbs',
        to: `${appName(scope, 'thumbs')}/functions/cloudfn-storage`,
        filter: {
          includedEventTypes: ['Microsoft.Storage.BlobCreated', 'Microsoft.Storage.BlobDeleted'],
          subjectBeginsWith: '/blobServices/default/containers/photos/blobs/in/',
          subjectEndsWith: '.jpg',
          isSubjectCaseSensitive: true,
        },
        labels: ['cloudfn-managed', 'cloudfn-function:thumbs'],
      },
    ])
    // The container carries cloudfn's metadata, as ARM and the Blob service both report it.
    expect((await blobs(kit).getContainerClient('photos').getProperties()).metadata).toEqual({
      cloudfn_managed: 'true',
      cloudfn_bucket: 'true',
    })
    expect((await cloud.get('thumbs')).trigger).toEqual({
      kind: 'storage',
      bucket: 'photos',
      events: ['created', 'deleted'],
      prefix: 'in/',
      suffix: '.jpg',
    })

    await cloud.remove('thumbs')
    expect(subscriptionsOf(kit).map((sub) => sub.name)).toEqual(['cloudfn-audit'])
    expect(containers(kit).has('photos')).toBe(true)
    await cloud.remove('audit')
    expect(containers(kit).has('photos')).toBe(false)
    expect(systemTopics(kit)).toEqual([])
  })

  it('moves to another bucket: the old container cloudfn made and left empty goes, one holding blobs stays', async () => {
    const kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('first'), { name: 'mover' })
    await cloud.deploy(on('second'), { name: 'mover' })
    expect(containers(kit).has('first')).toBe(false)
    expect(subscriptionsOf(kit).map((sub) => sub.filter.subjectBeginsWith)).toEqual([
      '/blobServices/default/containers/second/blobs/',
    ])
    await blobs(kit).getContainerClient('second').getBlockBlobClient('kept.txt').uploadData(new TextEncoder().encode('kept'))
    await cloud.deploy(on('third'), { name: 'mover' })
    expect(containers(kit).has('second')).toBe(true)
    // A trigger of another kind leaves storage: the topic goes (cloudfn made it, no subscription left).
    await cloud.deploy(versionOne, { name: 'mover' })
    expect(subscriptionsOf(kit)).toEqual([])
    expect(systemTopics(kit)).toEqual([])
    expect(containers(kit).has('third')).toBe(false)
    await cloud.remove('mover')
  })

  it("uses a system topic (in any resource group) and a container that exist, and leaves both: they are not cloudfn's", async () => {
    const kit = startKit()
    const { cloud } = kit
    // The account exists once a first app is deployed.
    await cloud.deploy(versionOne, { name: 'first' })
    await blobs(kit).getContainerClient('theirs').create()
    // In another resource group than the account's, as a system topic may be (the spec's SystemTopics_Get example).
    await theirSystemTopic(kit, accountId)
    await cloud.deploy(on('theirs'), { name: 'user' })
    expect(systemTopics(kit).map((topic) => topic.name)).toEqual(['their-topic'])
    expect(subscriptionsOf(kit).map((sub) => sub.name)).toEqual(['cloudfn-user'])
    await cloud.remove('user')
    expect(subscriptionsOf(kit)).toEqual([])
    expect(systemTopics(kit).map((topic) => topic.name)).toEqual(['their-topic'])
    expect(containers(kit).has('theirs')).toBe(true)
    await cloud.remove('first')
  })

  it('gc removes what a gone subscriber left (its event subscription, the system topic, an empty bucket cloudfn made) and never a bucket holding blobs, nor the account around it', async () => {
    const kit = startKit()
    const { cloud } = kit
    await cloud.deploy(on('ghost-bucket'), { name: 'ghost' })
    await cloud.deploy(on('full-bucket'), { name: 'keeper' })
    await blobs(kit).getContainerClient('full-bucket').getBlockBlobClient('data.txt').uploadData(new TextEncoder().encode('x'))
    // The apps went another way (the portal, removes that stopped after deleting them): their subscriptions stay behind.
    kit.emulator.state.sites.delete(appName(scope, 'ghost'))
    kit.emulator.state.sites.delete(appName(scope, 'keeper'))
    expect((await cloud.gc({ olderThanMs: 60_000, dryRun: true })).removed).toEqual([])
    const result = await cloud.gc({ olderThanMs: 0 })
    expect(result.removed).toEqual(
      expect.arrayContaining([
        `event-subscription:${systemTopicName(account)}/cloudfn-ghost`,
        `event-subscription:${systemTopicName(account)}/cloudfn-keeper`,
        `topic:${systemTopicName(account)}`,
        'bucket:ghost-bucket',
      ]),
    )
    expect(result.removed).not.toContain('bucket:full-bucket')
    expect(result.removed).not.toContain(`storage-account:${account}`)
    expect(systemTopics(kit)).toEqual([])
    expect([...containers(kit)].filter((name) => name.endsWith('-bucket'))).toEqual(['full-bucket'])
  })

  it("a credential that may not list the subscription's system topics (Contributor on the group only) still deploys and removes", async () => {
    const kit = startKit()
    refuseSubscriptionWideList(kit)
    await kit.cloud.deploy(on('scoped'), { name: 'scoped' })
    expect(systemTopics(kit).map((topic) => topic.name)).toEqual([systemTopicName(account)])
    await kit.cloud.remove('scoped')
    expect(systemTopics(kit)).toEqual([])
    kit.server.resetHandlers()
  })

  it('without read access on the subscription, a removal keeps the bucket whose other subscribers it cannot see, and warns that the event subscription stays, naming the roles', async () => {
    const kit = startKit()
    const current = kit
    const { cloud } = current
    await cloud.deploy(versionOne, { name: 'first' })
    // The account's system topic is in another resource group (the spec's SystemTopics_Get example), made by its owner.
    await theirSystemTopic(current, accountId)
    // Deployed with read access: both subscribe on their topic, to a container cloudfn makes (empty).
    await cloud.deploy(on('shared'), { name: 'leaver' })
    await cloud.deploy(on('shared'), { name: 'stayer' })
    expect(subscriptionsOf(current).map((sub) => sub.name)).toEqual(['cloudfn-leaver', 'cloudfn-stayer'])
    // Removed with Contributor on cloudfn's group only.
    refuseSubscriptionWideList(current)
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      expect(await cloud.remove('leaver')).toEqual({ removed: true })
      // What could not be seen is left as it is: stayer's bucket, and leaver's event subscription (the warning says so).
      expect(containers(current).has('shared')).toBe(true)
      expect(subscriptionsOf(current).map((sub) => sub.name)).toEqual(['cloudfn-leaver', 'cloudfn-stayer'])
      const warnings = warn.mock.calls
        .filter(([, type]) => (type as unknown) === 'CloudfnAzureWarning')
        .map(([message]) => String(message))
      expect(warnings).toEqual([
        expect.stringMatching(
          /event subscription 'cloudfn-leaver' was not found nor removed.*container 'shared' is kept.*'Reader' on the subscription.*'EventGrid EventSubscription Contributor'/,
        ),
      ])
      // gc cannot see the subscribers either: it takes no bucket for unused.
      expect((await cloud.gc({ olderThanMs: 0 })).removed).not.toContain('bucket:shared')
      expect(containers(current).has('shared')).toBe(true)
    } finally {
      warn.mockRestore()
      current.server.resetHandlers()
    }
    await cloud.remove('stayer')
    await cloud.remove('first')
  })

  it("without read access on the subscription, a deploy whose account's system topic is in another group is refused, naming the roles, and makes nothing", async () => {
    const kit = startKit()
    await kit.cloud.deploy(versionOne, { name: 'first' })
    await theirSystemTopic(kit, accountId)
    refuseSubscriptionWideList(kit)
    try {
      const error = await caughtError(kit.cloud.deploy(on('unseen'), { name: 'unseen' }))
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'Unauthorized',
        message: expect.stringMatching(
          /storage account '[^']+' already has an Event Grid system topic outside resource group.*'Reader' on the subscription.*'EventGrid EventSubscription Contributor'/,
        ),
      })
      // Event Grid refused the second topic before any container or event subscription was made.
      expect(systemTopics(kit).map((topic) => topic.name)).toEqual([THEIR_TOPIC.name])
      expect(subscriptionsOf(kit)).toEqual([])
      expect(containers(kit).has('unseen')).toBe(false)
    } finally {
      kit.server.resetHandlers()
    }
  })

  it('knows the refusal by its words also when the long-running operation fails with it (no HTTP status)', async () => {
    const kit = startKit()
    await kit.cloud.deploy(versionOne, { name: 'first' })
    refuseSubscriptionWideList(kit)
    const status = 'https://management.azure.com/cloudfn-test-operations/second-topic'
    const words = `There is an existing tracked system topic for the given source ${accountId}. Only one system topic is allowed per source.`
    // ARM's asynchronous pattern (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations): 201, then a Failed status.
    kit.server.use(
      http.put(/\/providers\/Microsoft\.EventGrid\/systemTopics\/[^/?]+/i, () =>
        HttpResponse.json({}, { status: 201, headers: { 'azure-asyncoperation': status } }),
      ),
      http.get(status, () => HttpResponse.json({ status: 'Failed', error: { code: 'InvalidRequest', message: words } })),
    )
    try {
      const error = await caughtError(kit.cloud.deploy(on('unseen'), { name: 'unseen' }))
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'Unauthorized',
        message: expect.stringMatching(/already has an Event Grid system topic outside resource group/),
      })
    } finally {
      kit.server.resetHandlers()
    }
  })

  it('names the packages a storage trigger loads, so a deploy without them is MissingPackage before anything is sent', () => {
    expect(azurePackages(storage({ bucket: 'photos' }), { credential: {} }).map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['@azure/arm-eventgrid', '@azure/storage-blob']),
    )
  })

  it("refuses a bucket named like cloudfn's own containers before anything is written", async () => {
    const kit = startKit({ retry: { maxAttempts: 1 } })
    const before = kit.emulator.state.writeCount
    const error = await caughtError(kit.cloud.deploy(on('azure-webjobs-hosts'), { name: 'intruder' }))
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'trigger.bucket' })
    expect(kit.emulator.state.writeCount).toBe(before)
  })
})
