import { CreateBucketCommand, DeleteObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { type HarnessRetryOptions, harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ObjectStore } from '../../../conformance/scenario.ts'
import { FAKE_CREDENTIALS } from '../emulator/index.ts'

/**
 * A repeated CreateBucket's 409 that says the first attempt made the bucket:
 * `BucketAlreadyOwnedByYou`. `BucketAlreadyExists` (also 409) is another
 * account's bucket and must fail the scenario (API_CreateBucket.html, Errors).
 */
export const ownedByYou = (error: unknown): boolean => (error as { name?: unknown })?.name === 'BucketAlreadyOwnedByYou'

/**
 * Object storage on the AWS emulator, written as a user writes S3: through
 * @aws-sdk/client-s3 with fake credentials, so each PutObject and
 * DeleteObject fires the bucket's notifications as S3's would. `retry` sets
 * the harness retry's waits (tests inject a fake sleep).
 */
export function awsObjects(region: string, retry: Pick<HarnessRetryOptions, 'sleep' | 'random'> = {}): ObjectStore {
  const s3 = new S3Client({ region, credentials: FAKE_CREDENTIALS })
  return {
    async createBucket(bucket) {
      await harnessRetry(() => s3.send(new CreateBucketCommand({ Bucket: bucket })), { ...retry, madeBefore: ownedByYou })
    },
    async put(bucket, key, bytes) {
      const put = await harnessRetry(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes })), retry)
      // S3 quotes its ETag; the neutral etag is without the quotes (triggers/storage-event.ts).
      return { etag: (put?.ETag ?? '').replace(/"/g, '') }
    },
    async delete(bucket, key) {
      // No goneBefore: DeleteObject of a key that is not there answers 204 (API_DeleteObject.html: "If there isn't a
      // null version, Amazon S3 does not remove any objects but will still respond that the command was successful"),
      // so a repeat after a lost answer succeeds as it is; its one 404, NoSuchBucket, must fail the scenario.
      await harnessRetry(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })), retry)
    },
    async bucketNames() {
      const listed = await harnessRetry(() => s3.send(new ListBucketsCommand({})), retry)
      return (listed?.Buckets ?? []).map((bucket) => bucket.Name ?? '')
    },
  }
}
