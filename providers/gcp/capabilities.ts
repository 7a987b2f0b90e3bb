import type { ProviderCapabilities } from '../../src/provider.ts'
import { GCP_SCALE } from './scale.ts'

const MIB = 1024 * 1024

/**
 * Cloud Functions 2nd gen runs on Cloud Run: HTTP/1 request and response
 * bodies up to 32 MiB, HTTP functions up to 60 minutes. Asynchronous invoke
 * needs Pub/Sub or Cloud Tasks and logs need Cloud Logging; cloudfn uses
 * neither yet, so both capabilities are off rather than faked.
 *
 * Triggers:
 * - http: the function's own Cloud Run URL. `iam` is Cloud Run's ID-token
 *   check, `public` grants roles/run.invoker to allUsers. Cloud Run has no
 *   per-function keys, so `key` is not offered.
 * - schedule: a Cloud Scheduler job (unix-cron with any IANA time zone).
 * - queue: a Pub/Sub topic with an Eventarc trigger. Push delivery sends one
 *   message per request, so batches are of 1. A dead-letter policy allows 5
 *   to 100 delivery attempts, so 4 to 99 retries. Pub/Sub takes 10 MB per
 *   publish request; the JSON API carries the message base64-encoded (4/3 of
 *   its size), so 7 MiB (9.8 MB encoded) is the most that fits whichever of
 *   the two sizes the limit is checked against.
 * - storage: Eventarc's Cloud Storage events (finalized, deleted) on the
 *   bucket; Eventarc filters by bucket only, so prefix and suffix are applied
 *   by cloudfn's shim in the function (triggers/storage-event.ts): objects
 *   outside them still reach the function, which acknowledges them unrun.
 */
export const GCP_CAPABILITIES: ProviderCapabilities = {
  asyncInvoke: false,
  triggers: {
    // Bodies count as bytes against Cloud Run's 32 MiB; the head meets the Functions Framework's node:http
    // server (16 KiB), and its body parser refuses an application/json body that is not an object or array
    // with 400 before the function runs (@google-cloud/functions-framework, build/src/server.js: body-parser's json(), strict by default).
    http: { auth: ['public', 'iam'], limits: { bodyCounting: 'bytes', maxRequestHeadBytes: 16 * 1024, jsonBodies: 'strict' } },
    schedule: { timezones: true },
    queue: { maxBatchSize: 1, maxRetries: { min: 4, max: 99 }, namedDeadLetter: true, maxMessageBytes: 7 * MIB },
    // The queue's Pub/Sub limits, per subscriber (see triggers/topic.ts); the default is the fewest allowed.
    topic: { maxRetries: { min: 4, max: 99, default: 4 }, namedDeadLetter: true, maxMessageBytes: 7 * MIB },
    storage: { events: ['created', 'deleted'], filters: true },
  },
  logs: false,
  coldStartReport: true,
  // Cloud Run stops an instance over its memory, but the caller gets a generic 500 (the limit is
  // only in Cloud Logging), so cloudfn cannot raise OutOfMemoryError (docs/FIDELITY.md).
  memoryLimit: false,
  // At the request timeout Cloud Run answers 504 and closes the request; it does not stop the
  // instance, whose code may go on running (docs/FIDELITY.md, "Request timeout").
  timeoutKills: false,
  maxRequestBytes: 32 * MIB,
  maxResponseBytes: 32 * MIB,
  maxAsyncRequestBytes: 32 * MIB,
  memoryMb: { min: 128, max: 10240 },
  timeoutSec: { min: 1, max: 3600 },
  // Cloud Run reports no billed time per request: the shim's measured duration, rounded as Cloud Run rounds (pricing.ts).
  billedDuration: 'estimated',
  // serviceConfig.maxInstanceCount / minInstanceCount (scale.ts).
  scale: GCP_SCALE,
}

/** Pub/Sub's publish request limit is 10 MiB ("Request payload size exceeds the limit: 10485760 bytes", https://cloud.google.com/pubsub/quotas#resource_limits). */
export const GCP_LIMITS = { maxBodyBytes: 32 * MIB, maxTimeoutSec: 3600, maxPublishBytes: 10 * MIB } as const
