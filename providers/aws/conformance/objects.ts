import { CreateBucketCommand, DeleteObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
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
      await retried(() => s3.send(new CreateBucketCommand({ Bucket: bucket })))
    },
    async put(bucket, key, bytes) {
      await retried(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes })))
    },
    async delete(bucket, key) {
      await retried(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))
    },
    async bucketNames() {
      const listed = await retried(() => s3.send(new ListBucketsCommand({})))
      return (listed.Buckets ?? []).map((bucket) => bucket.Name ?? '')
    },
  }
}

/**
 * The test's own S3 calls, retried when the connection drops before an answer
 * (the fault runs drop some): the SDK retries 5xx and throttling itself, but
 * not a dropped connection msw reports as `TypeError: Network error`. A
 * repeated PutObject may fire its event twice, which the scenarios allow (at
 * least once).
 */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const answered = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined
      if (answered || attempt >= 5) throw error
    }
  }
}
