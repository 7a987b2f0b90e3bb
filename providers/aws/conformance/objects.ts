import { CreateBucketCommand, DeleteObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { harnessRetry } from '../../../conformance/harness-retry.ts'
import type { ObjectStore } from '../../../conformance/scenario.ts'
import { FAKE_CREDENTIALS } from '../emulator/index.ts'

/**
 * Object storage on the AWS emulator, written as a user writes S3: through
 * @aws-sdk/client-s3 with fake credentials, so each PutObject and
 * DeleteObject fires the bucket's notifications as S3's would.
 */
export function awsObjects(region: string): ObjectStore {
  const s3 = new S3Client({ region, credentials: FAKE_CREDENTIALS })
  return {
    async createBucket(bucket) {
      await harnessRetry(() => s3.send(new CreateBucketCommand({ Bucket: bucket })), { madeBefore: true })
    },
    async put(bucket, key, bytes) {
      const put = await harnessRetry(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes })))
      // S3 quotes its ETag; the neutral etag is without the quotes (triggers/storage-event.ts).
      return { etag: (put?.ETag ?? '').replace(/"/g, '') }
    },
    async delete(bucket, key) {
      await harnessRetry(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))
    },
    async bucketNames() {
      const listed = await harnessRetry(() => s3.send(new ListBucketsCommand({})))
      return (listed?.Buckets ?? []).map((bucket) => bucket.Name ?? '')
    },
  }
}
