import { describe, expect, it } from 'vitest'
import { storageEventOfBlob } from './storage-event.ts'

/** Microsoft's documented BlobCreated example (https://learn.microsoft.com/azure/event-grid/event-schema-blob-storage), Event Grid schema. */
const created = {
  topic: '/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account',
  subject: '/blobServices/default/containers/test-container/blobs/new-file.txt',
  eventType: 'Microsoft.Storage.BlobCreated',
  eventTime: '2017-06-26T18:41:00.9584103Z',
  id: '831e1650-001e-001b-66ab-eeb76e069631',
  data: {
    api: 'PutBlockList',
    clientRequestId: '6d79dbfb-0e37-4fc4-981f-442c9ca65760',
    requestId: '831e1650-001e-001b-66ab-eeb76e000000',
    eTag: '"0x8D4BCC2E4835CD0"',
    contentType: 'text/plain',
    contentLength: 524288,
    blobType: 'BlockBlob',
    url: 'https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt',
    sequencer: '00000000000004420000000000028963',
    storageDiagnostics: { batchId: 'b68529f3-68cd-4744-baa4-3c0498ec19f0' },
  },
  dataVersion: '',
  metadataVersion: '1',
}

describe('Blob Storage events as the neutral StorageEvent', () => {
  it("a creation: container and blob name from the subject, contentLength, the blob's ETag unquoted, the event time", () => {
    expect(storageEventOfBlob(created)).toEqual({
      bucket: 'test-container',
      key: 'new-file.txt',
      size: 524288,
      etag: '0x8D4BCC2E4835CD0',
      eventTime: '2017-06-26T18:41:00.958Z',
      type: 'created',
    })
  })

  it('a deletion has size 0 and etag ""; a key keeps its slashes', () => {
    const deleted = {
      ...created,
      eventType: 'Microsoft.Storage.BlobDeleted',
      subject: '/blobServices/default/containers/test-container/blobs/in/2024/a.json',
      data: { api: 'DeleteBlob', contentType: 'text/plain', blobType: 'BlockBlob' },
    }
    expect(storageEventOfBlob(deleted)).toEqual({
      bucket: 'test-container',
      key: 'in/2024/a.json',
      size: 0,
      etag: '',
      eventTime: '2017-06-26T18:41:00.958Z',
      type: 'deleted',
    })
  })

  it('another event type, or a subject that names no blob, is no storage event', () => {
    expect(storageEventOfBlob({ ...created, eventType: 'Microsoft.Storage.BlobTierChanged' })).toBeUndefined()
    expect(storageEventOfBlob({ ...created, subject: '/blobServices/default/containers/test-container' })).toBeUndefined()
  })
})
