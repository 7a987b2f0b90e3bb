/**
 * A test's own cloud call, made beside cloudfn as a user's code or another
 * tool would (writing objects, making a foreign queue), retried when the fault
 * runs break it: a dropped connection or an answer of 429 or 5xx. The fault
 * runs test how cloudfn copes with a failing platform, not the scenario's own
 * set-up, and the SDKs retry only some of these (none retries a dropped
 * connection msw reports as `TypeError: Network error`; Cloud Storage does not
 * retry a non-idempotent upload).
 *
 * Between attempts it waits a short exponential backoff with jitter (as the
 * clouds ask of clients: AWS "Retry behavior" in the SDKs and Tools reference,
 * Google's "Retry strategy" for Cloud Storage), so a throttled service is not
 * hit again at once; after `attempts` tries the last error is thrown.
 */

export interface HarnessRetryOptions {
  /**
   * On a repeated call, an answer saying the thing already exists means the
   * first attempt did the work before its answer was lost. `true`: any 409;
   * a function: a 409 it accepts (e.g. S3's `BucketAlreadyOwnedByYou`, not
   * `BucketAlreadyExists`, which is someone else's bucket).
   */
  madeBefore?: true | ((error: unknown) => boolean) | undefined
  /**
   * On a repeated call, a 404 means the first attempt's delete landed before
   * its answer was lost (`true`: any 404; a function: a 404 it accepts, e.g.
   * the object's, not its bucket's). A 404 on the first attempt is still
   * thrown: the thing was never there.
   */
  goneBefore?: true | ((error: unknown) => boolean) | undefined
  /** Tries in all, the first included (default 6). */
  attempts?: number | undefined
  /** Waits between attempts; tests inject a fake that records the delays instead of waiting. */
  sleep?: ((ms: number) => Promise<void>) | undefined
  /** A number in [0, 1) for the jitter (default Math.random); tests inject a fixed one. */
  random?: (() => number) | undefined
}

/** The first backoff, doubled on each retry up to MAX_DELAY_MS: short, since the fault runs' faults are one-off. */
export const BASE_DELAY_MS = 20
export const MAX_DELAY_MS = 500
const DEFAULT_ATTEMPTS = 6

/**
 * The wait before retry number `retry` (1 for the first retry): "equal
 * jitter", half the exponential delay fixed and half random, so retries of
 * parallel calls spread out yet every wait stays at least half the backoff.
 */
export function backoffDelay(retry: number, random: () => number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (retry - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function harnessRetry<T>(call: () => Promise<T>, options: HarnessRetryOptions = {}): Promise<T | undefined> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error('harnessRetry: attempts must be a positive integer')
  const sleep = options.sleep ?? realSleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const status = statusOf(error)
      if (attempt > 1 && doneBefore(error, status, options)) return undefined
      const transient = status === undefined || status === 429 || status >= 500
      if (!transient || attempt >= attempts) throw error
      await sleep(backoffDelay(attempt, random))
    }
  }
}

/** Whether a repeated call's error says an earlier attempt already did the work (see the options). */
function doneBefore(error: unknown, status: number | undefined, options: HarnessRetryOptions): boolean {
  const { madeBefore, goneBefore } = options
  if (madeBefore && status === 409) return madeBefore === true || madeBefore(error)
  if (goneBefore && status === 404) return goneBefore === true || goneBefore(error)
  return false
}

/** The HTTP status an SDK's error carries: AWS `$metadata.httpStatusCode`, Google `code`, others `status`/`statusCode`. */
export function statusOf(error: unknown): number | undefined {
  const fields = error as { $metadata?: { httpStatusCode?: unknown }; code?: unknown; status?: unknown; statusCode?: unknown }
  for (const value of [fields?.$metadata?.httpStatusCode, fields?.code, fields?.status, fields?.statusCode]) {
    if (typeof value === 'number') return value
  }
  return undefined
}
