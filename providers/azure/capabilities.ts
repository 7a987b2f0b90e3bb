import type { ProviderCapabilities, Warning } from '../../src/provider.ts'
import { AZURE_SCALE } from './scale.ts'

const MB = 1024 * 1024

/** Instance sizes a Flex Consumption app can have (512 MB is not confirmed for Node, so not offered). */
export const FLEX_INSTANCE_MEMORY_MB = [2048, 4096] as const

/**
 * What Azure Functions on the Flex Consumption plan offers through cloudfn.
 * - Invocations go through the HTTP front end, which answers 502 when a
 *   response has not started within 230 s: timeoutSec stops there.
 * - memoryMb picks the instance size (rounded up, with a warning); the memory
 *   is the instance's, shared by concurrent executions, so exceeding memoryMb
 *   does not stop a function with OutOfMemory (memoryLimit: false).
 * - asyncInvoke and logs would need a queue trigger and Application Insights,
 *   which cloudfn does not set up: both are off rather than faked.
 * - The HTTP front end accepts bodies up to 100 MB; responses get the same cap.
 * - Triggers: HTTP (`anonymous` or `function` auth level; 'iam' would need
 *   Easy Auth, which cloudfn does not set up). Timer triggers read NCRONTAB in
 *   UTC only: WEBSITE_TIME_ZONE is not supported on Linux, so on Flex.
 *   Storage queues: the host fetches at most 32 messages at once (cloudfn's
 *   batchSize stops at 10 anyway), moves a message to `<queue>-poison` (a
 *   name it fixes) after maxDequeueCount deliveries, and a message holds
 *   64 KiB, i.e. 48 KiB of JSON once base64-encoded as the host expects.
 *   send() writes to the queue's data plane: the credential needs
 *   'Storage Queue Data Message Sender' on cloudfn's storage account.
 *   Topics: an Event Grid custom topic with an event subscription per
 *   subscriber (triggers/topic.ts): 1-30 delivery attempts (maxRetries 0-29,
 *   Event Grid's default 30), a dead-letter blob container fixed per
 *   subscriber, and events of up to 1 MB per publish request, less what the
 *   event's envelope takes. publish() needs 'EventGrid Data Sender'.
 *   Storage: a bucket is a blob container in cloudfn's storage account, its
 *   events (created, deleted) come through the account's Event Grid system
 *   topic, whose subject filters do the prefix and suffix
 *   (triggers/storage.ts); Event Grid's default 30 delivery attempts.
 */
export const AZURE_CAPABILITIES: ProviderCapabilities = {
  asyncInvoke: false,
  triggers: {
    // Bodies count as bytes against the front end's 100 MB; the head meets the Node worker's HTTP stream
    // (a node:http server, 16 KiB), and the function gets a JSON body's bytes as sent.
    http: { auth: ['public', 'key'], limits: { bodyCounting: 'bytes', maxRequestHeadBytes: 16 * 1024, jsonBodies: 'raw' } },
    schedule: { timezones: false },
    queue: { maxBatchSize: 10, maxRetries: { min: 0, max: 100 }, namedDeadLetter: false, maxMessageBytes: 48 * 1024 },
    // 1 MB per publish request (https://learn.microsoft.com/azure/event-grid/event-schema), of which 1 KiB is left
    // for the event's id, subject, type, time and version around the message (its `data`).
    topic: { maxRetries: { min: 0, max: 29, default: 29 }, namedDeadLetter: false, maxMessageBytes: MB - 1024 },
    storage: { events: ['created', 'deleted'], filters: true },
  },
  logs: false,
  coldStartReport: true,
  memoryLimit: false,
  timeoutKills: true,
  maxRequestBytes: 100 * MB,
  maxResponseBytes: 100 * MB,
  maxAsyncRequestBytes: 0,
  memoryMb: { min: 128, max: 4096 },
  timeoutSec: { min: 1, max: 230 },
  // Azure reports no billed time per execution: the shim's measured duration, with Flex's minimum (pricing.ts).
  billedDuration: 'estimated',
  // maximumInstanceCount and always-ready instances (scale.ts).
  scale: AZURE_SCALE,
}

/** The Flex instance size for a requested memoryMb, and a warning when it differs. */
export function instanceMemoryFor(memoryMb: number): { instanceMemoryMB: number; warning: Warning | undefined } {
  const instanceMemoryMB = FLEX_INSTANCE_MEMORY_MB.find((size) => size >= memoryMb) ?? 4096
  const warning =
    instanceMemoryMB === memoryMb
      ? undefined
      : {
          setting: 'memoryMb',
          message: `Flex Consumption instances have ${FLEX_INSTANCE_MEMORY_MB.join(' or ')} MB; ${memoryMb} MB was rounded up to ${instanceMemoryMB} MB (shared by the instance's concurrent executions)`,
        }
  return { instanceMemoryMB, warning }
}
