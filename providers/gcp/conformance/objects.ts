import type { Storage } from '@google-cloud/storage'
import { type HarnessRetryOptions, harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ObjectStore } from '../../../conformance/scenario.ts'
import { storageAuthClient } from '../emulator/index.ts'
import { neutralEtag } from '../triggers/storage-event.ts'

/** The error's message, if it has one. */
const messageOf = (error: unknown): string => String((error as { message?: unknown })?.message ?? '')

/**
 * A repeated bucket insert's 409 that says the first attempt made the bucket.
 * Another project's bucket of that name is a 409 too, "The requested bucket
 * name is not available", and must fail the scenario (Cloud Storage JSON API
 * errors: 409 conflict; the emulator answers both as GCS does, gcs.ts).
 */
export const alreadyOwned = (error: unknown): boolean => /you already own it/.test(messageOf(error))

/**
 * A repeated object delete's 404 that says the first attempt deleted it:
 * "No such object: <bucket>/<name>". A missing bucket ("The specified bucket
 * does not exist.") must fail the scenario.
 */
export const noSuchObject = (error: unknown): boolean => /^No such object/.test(messageOf(error))

/**
 * The storage scenarios' object store on the GCP emulator: the official
 * `@google-cloud/storage` SDK, as a user's code would write objects, with a
 * fake token (storageAuthClient). Buckets made here carry no cloudfn labels,
 * so cloudfn must never delete them. `retry` sets the harness retry's waits
 * (tests inject a fake sleep).
 */
export function gcpObjects(project: string, retry: Pick<HarnessRetryOptions, 'sleep' | 'random'> = {}): ObjectStore {
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
      await harnessRetry(() => client.createBucket(bucket), { ...retry, madeBefore: alreadyOwned })
    },
    async put(bucket, key, bytes) {
      const client = await storage()
      const file = client.bucket(bucket).file(key)
      await harnessRetry(() => file.save(Buffer.from(bytes), { resumable: false }), retry)
      // The object as Cloud Storage reports it, made neutral as the shim does (triggers/storage-event.ts).
      const [metadata] = (await harnessRetry(() => file.getMetadata(), retry)) ?? [{}]
      return { etag: neutralEtag(metadata) }
    },
    async delete(bucket, key) {
      const client = await storage()
      // A delete whose answer was lost has deleted the object: the repeat meets 404, which means done.
      await harnessRetry(() => client.bucket(bucket).file(key).delete(), { ...retry, goneBefore: noSuchObject })
    },
    async bucketNames() {
      const client = await storage()
      const listed = await harnessRetry(() => client.getBuckets(), retry)
      return (listed?.[0] ?? []).map((bucket) => bucket.name)
    },
  }
}
