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

/**
 * Retries of one request inside a multi-request operation (a deploy is up
 * to ~15 ARM requests on Azure, plus polls): each request is retried on its
 * own, as the clouds' SDKs do by default, so one request that meets a
 * transient fault does not fail, and then repeat, the whole operation. The
 * operation-level policy (`createCloud({ retry })`) still wraps the whole.
 * Bounded and short: what outlasts it is the operation's to retry.
 */
export const REQUEST_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 2_000 }

/** A `Retry-After` from this long on is left to the operation-level policy (see `retryRequest`). */
export const REQUEST_RETRY_AFTER_LIMIT_MS = 1_000

/**
 * HTTP statuses that say the request was not carried out and is worth
 * sending again as it is: 408, 429 and the 5xx a front end or an overloaded
 * service answers (not 501 Not Implemented or 505, which never change).
 * The same list as the AWS SDK's and Azure core's default retry policies.
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505)
}

/**
 * Sends one request with `REQUEST_RETRY_POLICY`: `send` either resolves
 * (the answer, whatever it is) or throws; `retryable` says whether a thrown
 * error is transient; an answer `retryableAnswer` flags is sent again while
 * attempts remain, and the last such answer is returned, not thrown, so the
 * caller maps it as it always did. `retryAfterMs` reads a server's wish.
 */
export async function retryRequest<T>(
  send: (attempt: number) => Promise<T>,
  options: {
    retryable: (error: unknown) => boolean
    retryableAnswer?: ((answer: T) => boolean) | undefined
    retryAfterMs?: ((answerOrError: unknown) => number | undefined) | undefined
    signal?: AbortSignal | undefined
    policy?: Partial<RetryPolicy> | undefined
    random?: () => number
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  },
): Promise<T> {
  const policy = { ...REQUEST_RETRY_POLICY, ...options.policy }
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? abortableSleep
  for (let attempt = 0; ; attempt++) {
    const last = attempt + 1 >= policy.maxAttempts
    let outcome: { answer: T } | { error: unknown }
    try {
      outcome = { answer: await send(attempt) }
    } catch (error) {
      outcome = { error }
    }
    if ('answer' in outcome) {
      if (last || !options.retryableAnswer?.(outcome.answer)) return outcome.answer
    } else if (last || options.signal?.aborted || !options.retryable(outcome.error)) {
      throw outcome.error
    }
    const wish = options.retryAfterMs?.('answer' in outcome ? outcome.answer : outcome.error)
    // A server asking for a pause of a second or more is the operation-level policy's to honour (the caller's
    // settings say how long an operation may wait); this one only rides over brief blips.
    if (wish !== undefined && wish >= REQUEST_RETRY_AFTER_LIMIT_MS) {
      if ('answer' in outcome) return outcome.answer
      throw outcome.error
    }
    await sleep(backoffDelay(attempt, policy, random, wish), options.signal)
  }
}

/**
 * Runs one provider step under the caller's signal: nothing starts once it
 * has aborted, and an abort while the step runs rejects at once with
 * `CancelledError` (for SDK calls that take no signal; pass it to those that
 * do as well, so the request itself is abandoned).
 */
export function cancellable<T>(signal: AbortSignal | undefined, step: () => Promise<T>): Promise<T> {
  throwIfAborted(signal)
  if (!signal) return step()
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new CancelledError({ message: 'The operation was cancelled by its AbortSignal', cause: signal.reason }))
    signal.addEventListener('abort', onAbort, { once: true })
    step()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort))
  })
}
