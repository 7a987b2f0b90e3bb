import type { Storage } from '@google-cloud/storage'
import { harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ObjectStore } from '../../../conformance/scenario.ts'
import { storageAuthClient } from '../emulator/index.ts'
import { neutralEtag } from '../triggers/storage-event.ts'

/**
 * The storage scenarios' object store on the GCP emulator: the official
 * `@google-cloud/storage` SDK, as a user's code would write objects, with a
 * fake token (storageAuthClient). Buckets made here carry no cloudfn labels,
 * so cloudfn must never delete them.
 */
export function gcpObjects(project: string): ObjectStore {
  let client: Promise<Storage> | undefined
  const storage = () => {
    client ??= import('@google-cloud/storage').then(
      ({ Storage }) => new Storage({ projectId: project, authClient: storageAuthClient() as never }),
    )
    return client
  }
  return {
    async createBucket(bucket) {
      const client = await storage()
      await harnessRetry(() => client.createBucket(bucket), { madeBefore: true })
    },
    async put(bucket, key, bytes) {
      const client = await storage()
      const file = client.bucket(bucket).file(key)
      await harnessRetry(() => file.save(Buffer.from(bytes), { resumable: false }))
      // The object as Cloud Storage reports it, made neutral as the shim does (triggers/storage-event.ts).
      const [metadata] = (await harnessRetry(() => file.getMetadata())) ?? [{}]
      return { etag: neutralEtag(metadata) }
    },
    async delete(bucket, key) {
      const client = await storage()
      await harnessRetry(() => client.bucket(bucket).file(key).delete())
    },
    async bucketNames() {
      const client = await storage()
      const listed = await harnessRetry(() => client.getBuckets())
      return (listed?.[0] ?? []).map((bucket) => bucket.name)
    },
  }
}
