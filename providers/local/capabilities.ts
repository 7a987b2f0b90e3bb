import type { ProviderCapabilities } from '../../src/provider.ts'
import { PORTABLE_SCALE } from '../../src/scale.ts'
import type { Isolation } from './settings.ts'
import { LOCAL_TOPIC_DEFAULT_RETRIES } from './topics.ts'

const MB = 1024 * 1024

/**
 * The local fake mirrors AWS Lambda's synchronous limits, the tightest of the
 * clouds. Memory and timeouts are enforced only where a worker thread runs
 * the function.
 */
export function localCapabilities(isolation: Isolation): ProviderCapabilities {
  return {
    asyncInvoke: true,
    triggers: {
      // Bodies count as in Lambda's event (base64 for binary), the tightest of the clouds; the head meets the
      // fake's loopback node:http server (16 KiB).
      http: {
        auth: ['public', 'key', 'iam'],
        limits: { bodyCounting: 'event', maxRequestHeadBytes: 16 * 1024, jsonBodies: 'raw' },
      },
      schedule: { timezones: true },
      queue: { maxBatchSize: 10, maxRetries: { min: 0, max: 100 }, namedDeadLetter: true, maxMessageBytes: 1 * MB },
      storage: { events: ['created', 'deleted'], filters: true },
      // SNS's 256 KiB, the tightest of the clouds' topics.
      topic: {
        maxRetries: { min: 0, max: 100, default: LOCAL_TOPIC_DEFAULT_RETRIES },
        namedDeadLetter: true,
        maxMessageBytes: 256 * 1024,
      },
    },
    logs: true,
    coldStartReport: true,
    memoryLimit: isolation === 'worker',
    timeoutKills: isolation === 'worker',
    maxRequestBytes: 6 * MB,
    maxResponseBytes: 6 * MB,
    maxAsyncRequestBytes: 1 * MB,
    memoryMb: { min: 128, max: 10240 },
    timeoutSec: { min: 1, max: 3600 },
    // A function's maxInstances caps its executions as settings.maxInstances does; the fake keeps no warm instances.
    scale: { maxInstances: PORTABLE_SCALE.maxInstances },
    // No price table: billed nothing, billedMs the measured duration rounded up to 1 ms (src/cost NO_CHARGE_RULE).
    billedDuration: 'estimated',
  }
}
