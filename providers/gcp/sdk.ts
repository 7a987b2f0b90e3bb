import type { protos, v2 } from '@google-cloud/functions'
import type { AuthClient } from 'google-auth-library'

export type FunctionServiceClient = v2.FunctionServiceClient
export type GcpFunction = protos.google.cloud.functions.v2.IFunction

/**
 * Loads `@google-cloud/functions` on first use (about 200 ms), so importing
 * `cloudfn/gcp` and invoking, which is a plain HTTPS request, never pay for it.
 * The REST transport (`fallback: 'rest'`) is what runs through ordinary HTTP
 * (and so through msw in tests); the default gRPC transport would not.
 */
export function lazyClient(authClient: AuthClient | undefined, project: string): () => Promise<FunctionServiceClient> {
  let pending: Promise<FunctionServiceClient> | undefined
  return () => {
    pending ??= import('@google-cloud/functions').then((module) => {
      const { v2: api } = module.default ?? module
      // gax carries its own copy of google-auth-library, whose AuthClient type is
      // nominally different from the user's; at run time any AuthClient works.
      const auth = authClient ? { authClient: authClient as never } : {}
      return new api.FunctionServiceClient({ fallback: 'rest', projectId: project, ...auth })
    })
    // A failed load (package missing) must not be cached forever.
    pending.catch(() => {
      pending = undefined
    })
    return pending
  }
}

/**
 * gax's operation polling settings: starts at `intervalMs`, grows 1.5x per
 * poll up to ten times that, and gives up after `totalMs`.
 */
export function pollSettings(intervalMs: number, totalMs: number) {
  return {
    longrunning: {
      initialRetryDelayMillis: intervalMs,
      retryDelayMultiplier: 1.5,
      maxRetryDelayMillis: Math.max(intervalMs * 10, 1),
      initialRpcTimeoutMillis: null,
      rpcTimeoutMultiplier: null,
      maxRpcTimeoutMillis: null,
      totalTimeoutMillis: totalMs,
    },
  }
}
