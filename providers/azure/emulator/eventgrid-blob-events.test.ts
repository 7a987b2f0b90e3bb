import { EventGridManagementClient } from '@azure/arm-eventgrid'
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { eventually } from '../../../conformance/expect.ts'
import { topicRecorder } from '../../../conformance/fixtures/topics.ts'
import { createInboxes } from '../../../conformance/inbox.ts'
import { withOverrides } from '../../../src/define.ts'
import { type Kit, SUBSCRIPTION, startKit } from '../__fixtures__/test-kit.ts'
import { TOPIC_FUNCTION } from '../constants.ts'
import { appName, storageAccountName } from '../names.ts'
import { emulatorCredential } from './index.ts'

let kit: Kit | undefined
const inboxes = createInboxes()
afterEach(async () => {
  await kit?.close()
  kit = undefined
})
afterAll(() => inboxes.close())

const GROUP = 'cloudfn-tests'
const scope = { subscriptionId: SUBSCRIPTION, resourceGroup: GROUP }

describe('Blob Storage events through an Event Grid system topic', () => {
  it('delivers BlobCreated and BlobDeleted in the documented schema to the subscriptions whose filters pass them', async () => {
    kit = startKit()
    const inbox = inboxes.open()
    // An app with an Event Grid function to deliver to (a topic subscriber's), and the account cloudfn made with it.
    await kit.cloud.deploy(withOverrides(topicRecorder, { env: inbox.env }), { name: 'sink' })
    const account = kit.emulator.state.storageAccount(storageAccountName(scope))
    if (!account) throw new Error('no account')
    const accountId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Storage/storageAccounts/${account.name}`
    const arm = new EventGridManagementClient(emulatorCredential(), SUBSCRIPTION, { retryOptions: { maxRetries: 0 } })
    const wait = { updateIntervalInMs: 1 }
    await arm.systemTopics.beginCreateOrUpdateAndWait(
      GROUP,
      'blobs',
      { location: 'westeurope', source: accountId, topicType: 'Microsoft.Storage.StorageAccounts' },
      wait,
    )
    const second = await arm.systemTopics
      .beginCreateOrUpdateAndWait(
        GROUP,
        'blobs-again',
        { location: 'westeurope', source: accountId, topicType: 'Microsoft.Storage.StorageAccounts' },
        wait,
      )
      .catch((error: unknown) => error)
    expect((second as { statusCode?: number }).statusCode).toBe(400)
    await arm.systemTopicEventSubscriptions.beginCreateOrUpdateAndWait(
      GROUP,
      'blobs',
      'photos-in-json',
      {
        destination: {
          endpointType: 'AzureFunction',
          resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Web/sites/${appName(scope, 'sink')}/functions/${TOPIC_FUNCTION}`,
        },
        filter: {
          includedEventTypes: ['Microsoft.Storage.BlobCreated', 'Microsoft.Storage.BlobDeleted'],
          subjectBeginsWith: '/blobServices/default/containers/photos/blobs/in/',
          subjectEndsWith: '.json',
        },
      },
      wait,
    )
    // An event type the storage account does not publish is refused (the docs' includedEventTypes rule).
    const misspelt = await arm.systemTopicEventSubscriptions
      .beginCreateOrUpdateAndWait(
        GROUP,
        'blobs',
        'misspelt',
        {
          destination: {
            endpointType: 'AzureFunction',
            resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Web/sites/${appName(scope, 'sink')}/functions/${TOPIC_FUNCTION}`,
          },
          filter: { includedEventTypes: ['Microsoft.Storage.BlobCreate'] },
        },
        wait,
      )
      .catch((error: unknown) => error)
    expect((misspelt as { statusCode?: number }).statusCode).toBe(400)
    const made = await arm.systemTopicEventSubscriptions.get(GROUP, 'blobs', 'photos-in-json')
    expect({ type: made.type, topic: made.topic }).toEqual({
      type: 'Microsoft.EventGrid/systemTopics/eventSubscriptions',
      topic: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.EventGrid/systemTopics/blobs`,
    })
    const blobs = new BlobServiceClient(
      `https://${account.name}.blob.core.windows.net`,
      new StorageSharedKeyCredential(account.name, account.keys[0]),
      { retryOptions: { maxTries: 1 } },
    )
    const photos = blobs.getContainerClient('photos')
    await photos.create()
    const body = new TextEncoder().encode('{"a":1}')
    const uploaded = await photos
      .getBlockBlobClient('in/a.json')
      .uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/json' } })
    await photos.getBlockBlobClient('in/b.txt').uploadData(body)
    await photos.getBlockBlobClient('out/c.json').uploadData(body)
    await photos.deleteBlob('in/a.json')
    const received = () => inbox.deliveries().map((delivery) => delivery.received as Record<string, unknown>)
    await eventually(async () => received().length >= 2, 10_000, 'the two events that pass the filter')
    // The handler got each event's whole data (it is no cloudfn message): the documented fields.
    const url = `https://${account.name}.blob.core.windows.net/photos/in/a.json`
    // Each event goes out on its own (in either order), each once here.
    expect(received()).toHaveLength(2)
    // The data has the documented example's fields (event-schema-blob-storage, Event Grid schema), no more, no fewer.
    const created = received().find((data) => data.api === 'PutBlob') ?? {}
    expect(Object.keys(created).sort()).toEqual(
      [
        'api',
        'clientRequestId',
        'requestId',
        'eTag',
        'contentType',
        'contentLength',
        'blobType',
        'url',
        'sequencer',
        'storageDiagnostics',
      ].sort(),
    )
    expect(received()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          api: 'PutBlob',
          eTag: uploaded.etag,
          contentLength: body.byteLength,
          contentType: 'application/json',
          blobType: 'BlockBlob',
          url,
        }),
        expect.objectContaining({ api: 'DeleteBlob', blobType: 'BlockBlob', url }),
      ]),
    )
    inbox.close()
  })
})
