import { CancelledError } from './errors/cancelled.ts'
import { CloudfnError } from './errors/cloudfn-error.ts'

export interface RetryPolicy {
  /** Total attempts including the first (default 5). */
  maxAttempts: number
  /** First backoff ceiling in ms (default 100). */
  baseDelayMs: number
  /** Largest backoff ceiling in ms (default 10 000). */
  maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 }

export interface RetryOptions {
  policy?: Partial<RetryPolicy> | undefined
  /** Decides whether an error is worth another attempt. */
  shouldRetry: (error: unknown) => boolean
  signal?: AbortSignal | undefined
  onRetry?: ((info: { attempt: number; delayMs: number; error: unknown }) => void) | undefined
  /** Injected for deterministic tests. */
  random?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/**
 * Full-jitter exponential backoff: the n-th delay is uniform in
 * [0, min(max, base * 2^n)]. A server's `Retry-After` (on the error as
 * `retryAfterMs`) wins when it asks for longer.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  const jittered = Math.floor(random() * ceiling)
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs * 6))
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  throwIfAborted(options.signal)
  let firstError: unknown
  // The first attempt is the hot path: no policy object, no loop.
  try {
    return await operation(0)
  } catch (error) {
    firstError = error
  }
  return retryAfterFailure(operation, options, firstError)
}

async function retryAfterFailure<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
  firstError: unknown,
): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy }
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? abortableSleep
  let error = firstError
  for (let attempt = 0; ; attempt++) {
    if (attempt + 1 >= policy.maxAttempts || !options.shouldRetry(error) || options.signal?.aborted) throw error
    const retryAfterMs = CloudfnError.isInstance(error) ? error.retryAfterMs : undefined
    const delayMs = backoffDelay(attempt, policy, random, retryAfterMs)
    options.onRetry?.({ attempt: attempt + 1, delayMs, error })
    await sleep(delayMs, options.signal)
    try {
      return await operation(attempt + 1)
    } catch (next) {
      error = next
    }
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CancelledError({ message: 'The operation was cancelled by its AbortSignal', cause: signal.reason })
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError({ message: 'The operation was cancelled by its AbortSignal' }))
    const onAbort = () => {
      clearTimeout(timer)
      reject(new CancelledError({ message: 'The operation was cancelled by its AbortSignal', cause: signal?.reason }))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
