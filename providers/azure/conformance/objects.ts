import type { BlobServiceClient } from '@azure/storage-blob'
import { harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ObjectStore } from '../../../conformance/scenario.ts'
import type { AzureEmulator } from '../emulator/index.ts'
import { storageAccountName } from '../names.ts'

/** The Blob service's 404 for a missing blob, as @azure/storage-blob's RestError carries it. */
export const blobNotFound = (error: unknown): boolean => (error as { code?: unknown })?.code === 'BlobNotFound'

/**
 * The storage scenarios' object store on the Azure emulator: the official
 * `@azure/storage-blob` SDK against the Blob service at
 * `https://<account>.blob.core.windows.net`, signed with the account key, as
 * a user's code writes blobs. Buckets are containers of cloudfn's storage
 * account (the one its deploys make: it must exist first); containers made
 * here carry no cloudfn metadata, so cloudfn must never delete them. The
 * etag a put reports is the blob's ETag as the service answers it, unquoted.
 */
export function azureObjects(emulator: AzureEmulator, scope: { subscriptionId: string; resourceGroup: string }): ObjectStore {
  let client: Promise<BlobServiceClient> | undefined
  const blobs = () => {
    client ??= import('@azure/storage-blob').then(({ BlobServiceClient, StorageSharedKeyCredential }) => {
      const name = storageAccountName(scope)
      const account = emulator.state.storageAccount(name)
      if (!account) throw new Error(`no storage account '${name}' yet: deploy a function first`)
      return new BlobServiceClient(
        `https://${name}.blob.core.windows.net`,
        new StorageSharedKeyCredential(name, account.keys[0]),
        {
          retryOptions: { maxTries: 1 },
        },
      )
    })
    client.catch(() => {
      client = undefined
    })
    return client
  }
  return {
    async createBucket(bucket) {
      const service = await blobs()
      // Only the repeat's ContainerAlreadyExists means the first attempt made it (not ContainerBeingDeleted, also 409).
      await harnessRetry(() => service.getContainerClient(bucket).create(), {
        madeBefore: (error) => (error as { code?: unknown })?.code === 'ContainerAlreadyExists',
      })
    },
    async put(bucket, key, bytes) {
      const service = await blobs()
      const uploaded = await harnessRetry(() => service.getContainerClient(bucket).getBlockBlobClient(key).uploadData(bytes))
      return { etag: (uploaded?.etag ?? '').replace(/"/g, '') }
    },
    async delete(bucket, key) {
      const service = await blobs()
      // A delete whose answer was lost has deleted the blob: the repeat's BlobNotFound means done; ContainerNotFound
      // (the bucket is gone) must fail the scenario (Blob service error codes: learn.microsoft.com/rest/api/storageservices/blob-service-error-codes).
      await harnessRetry(() => service.getContainerClient(bucket).deleteBlob(key), { goneBefore: blobNotFound })
    },
    async bucketNames() {
      const service = await blobs()
      const names: string[] = []
      await harnessRetry(async () => {
        names.length = 0
        for await (const container of service.listContainers()) names.push(container.name)
      })
      return names
    },
  }
}
