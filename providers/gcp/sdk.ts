import type { protos, v2 } from '@google-cloud/functions'
import type { protos as schedulerProtos, v1 as schedulerV1 } from '@google-cloud/scheduler'
import type { AuthClient } from 'google-auth-library'
import { FIRST_POLL_MS, POLL_GROWTH } from '../../src/provider-utils.ts'

export type FunctionServiceClient = v2.FunctionServiceClient
export type GcpFunction = protos.google.cloud.functions.v2.IFunction
export type SchedulerClient = schedulerV1.CloudSchedulerClient
export type SchedulerJob = schedulerProtos.google.cloud.scheduler.v1.IJob

/** Loads once on first use; a failed load (package missing) is not cached, so a later call tries again. */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () => {
    pending ??= load()
    pending.catch(() => {
      pending = undefined
    })
    return pending
  }
}

/** gax carries its own copy of google-auth-library, whose AuthClient type is nominally different from the user's. */
const authOption = (authClient: AuthClient | undefined) => (authClient ? { authClient: authClient as never } : {})

/**
 * Loads `@google-cloud/functions` on first use (about 200 ms), so importing
 * `cloudfn/gcp` and invoking, which is a plain HTTPS request, never pay for it.
 * The REST transport (`fallback: 'rest'`) is what runs through ordinary HTTP
 * (and so through msw in tests); the default gRPC transport would not.
 */
export function lazyClient(authClient: AuthClient | undefined, project: string): () => Promise<FunctionServiceClient> {
  return lazy(() =>
    import('@google-cloud/functions').then((module) => {
      const { v2: api } = module.default ?? module
      return new api.FunctionServiceClient({ fallback: 'rest', projectId: project, ...authOption(authClient) })
    }),
  )
}

/** `@google-cloud/scheduler`, loaded only by deploys of scheduled functions, remove and gc. */
export function lazySchedulerClient(authClient: AuthClient | undefined, project: string): () => Promise<SchedulerClient> {
  return lazy(() =>
    import('@google-cloud/scheduler').then((module) => {
      const { v1: api } = module.default ?? module
      return new api.CloudSchedulerClient({ fallback: 'rest', projectId: project, ...authOption(authClient) })
    }),
  )
}

/**
 * gax's operation polling settings: the first re-poll after FIRST_POLL_MS (or
 * `intervalMs` if shorter), each wait POLL_GROWTH times the last up to ten times
 * `intervalMs`, giving up after `totalMs`. An operation that is already done
 * (an emulator's) is seen at once, a real one costs a few early reads.
 */
export function pollSettings(intervalMs: number, totalMs: number) {
  return {
    longrunning: {
      initialRetryDelayMillis: Math.min(FIRST_POLL_MS, intervalMs),
      retryDelayMultiplier: POLL_GROWTH,
      maxRetryDelayMillis: Math.max(intervalMs * 10, 1),
      initialRpcTimeoutMillis: null,
      rpcTimeoutMultiplier: null,
      maxRpcTimeoutMillis: null,
      totalTimeoutMillis: totalMs,
    },
  }
}
