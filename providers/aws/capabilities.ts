import type { ProviderCapabilities } from '../../src/provider.ts'
import { AWS_SCALE } from './concurrency.ts'

const MB = 1024 * 1024

/**
 * AWS Lambda's documented quotas, shared by the provider (its capabilities)
 * and the emulator (what it enforces), so the two cannot drift apart.
 * Asynchronous invocations accept 1 MB since 2025; older documentation says 256 KB.
 */
export const AWS_LIMITS = {
  syncRequestBytes: 6 * MB,
  // Not 6 MiB: AWS's own message names 6,291,556 bytes (recorded, LocalStack snapshot test_lambda_too_large_response).
  syncResponseBytes: 6_291_556,
  asyncRequestBytes: 1 * MB,
  memoryMb: { min: 128, max: 10240 },
  timeoutSec: { min: 1, max: 900 },
  /** Direct upload of a zip in CreateFunction / UpdateFunctionCode. */
  zipBytes: 50 * MB,
  unzippedBytes: 250 * MB,
  envBytes: 4096,
  /** Function names: 1–64 of letters, digits, hyphens and underscores. */
  namePattern: /^[A-Za-z0-9_-]{1,64}$/,
  descriptionChars: 256,
  /** Bytes of the log tail returned with `LogType: Tail`. */
  logTailBytes: 4096,
} as const

/**
 * Triggers: a function URL (AuthType NONE or AWS_IAM; Lambda has no
 * function keys, so `auth: 'key'` is not offered), EventBridge Scheduler
 * (cron in any IANA time zone) and SQS through an event source mapping:
 * batches up to 10 (more needs a batching window), maxReceiveCount 1–1000
 * (so 0–100 retries, the core's range), a dead-letter queue of any name,
 * messages up to 1 MiB (since 2025; older documentation says 256 KiB).
 * Topics: SNS with a Lambda subscription (triggers/topic.ts). SNS invokes
 * the function asynchronously, so a failed copy is retried as Lambda's
 * MaximumRetryAttempts says, 0–2 (default 2), then goes to the subscriber's
 * on-failure destination, an SQS queue of any name; SNS messages are at most
 * 256 KiB (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
 * Storage: S3 event notifications (triggers/storage.ts), created and
 * deleted, with S3's own prefix and suffix filter rules; two subscribers of
 * one bucket must not share an event type unless their prefixes or suffixes
 * keep them apart (S3 refuses overlapping notifications).
 */
export const AWS_CAPABILITIES: ProviderCapabilities = {
  asyncInvoke: true,
  triggers: {
    // A function URL hands the function a JSON event: a binary body counts as base64 in the 6 MB payload quota
    // (about 4.5 MB of bytes fit), and the URL has no header limit of its own below that quota
    // (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Request and response payloads").
    http: { auth: ['public', 'iam'], limits: { bodyCounting: 'event', maxRequestHeadBytes: null, jsonBodies: 'raw' } },
    schedule: { timezones: true },
    queue: { maxBatchSize: 10, maxRetries: { min: 0, max: 100 }, namedDeadLetter: true, maxMessageBytes: MB },
    topic: { maxRetries: { min: 0, max: 2, default: 2 }, namedDeadLetter: true, maxMessageBytes: 256 * 1024 },
    storage: { events: ['created', 'deleted'], filters: true },
  },
  logs: true,
  coldStartReport: true,
  memoryLimit: true,
  timeoutKills: true,
  maxRequestBytes: AWS_LIMITS.syncRequestBytes,
  maxResponseBytes: AWS_LIMITS.syncResponseBytes,
  maxAsyncRequestBytes: AWS_LIMITS.asyncRequestBytes,
  memoryMb: AWS_LIMITS.memoryMb,
  timeoutSec: AWS_LIMITS.timeoutSec,
  // Read from the REPORT line of the log tail every invoke asks for (invoke.ts).
  billedDuration: 'reported',
  // Reserved concurrency; no minInstances (provisioned concurrency needs a published version): see concurrency.ts.
  scale: AWS_SCALE,
}
