import type { ProviderCapabilities } from '../../src/provider.ts'

const MIB = 1024 * 1024

/**
 * Cloud Functions 2nd gen runs on Cloud Run: HTTP/1 request and response
 * bodies up to 32 MiB, HTTP functions up to 60 minutes. Asynchronous invoke
 * needs Pub/Sub or Cloud Tasks and logs need Cloud Logging; cloudfn uses
 * neither yet, so both capabilities are off rather than faked.
 */
export const GCP_CAPABILITIES: ProviderCapabilities = {
  asyncInvoke: false,
  triggers: {},
  logs: false,
  coldStartReport: true,
  memoryLimit: true,
  timeoutKills: true,
  maxRequestBytes: 32 * MIB,
  maxResponseBytes: 32 * MIB,
  maxAsyncRequestBytes: 32 * MIB,
  memoryMb: { min: 128, max: 10240 },
  timeoutSec: { min: 1, max: 3600 },
}

export const GCP_LIMITS = { maxBodyBytes: 32 * MIB, maxTimeoutSec: 3600 } as const
