/**
 * A test's own cloud call, made beside cloudfn as a user's code or another
 * tool would (writing objects, making a foreign queue), retried when the fault
 * runs break it: a dropped connection or an answer of 429 or 5xx. The fault
 * runs test how cloudfn copes with a failing platform, not the scenario's own
 * set-up, and the SDKs retry only some of these (none retries a dropped
 * connection msw reports as `TypeError: Network error`; Cloud Storage does not
 * retry a non-idempotent upload).
 *
 * `madeBefore`: an answer on a repeated call saying the thing already exists
 * (409) means the first attempt was done before its answer was lost.
 */
export async function harnessRetry<T>(call: () => Promise<T>, options: { madeBefore?: true } = {}): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const status = statusOf(error)
      if (options.madeBefore && attempt > 1 && status === 409) return undefined
      const transient = status === undefined || status === 429 || status >= 500
      if (!transient || attempt >= 6) throw error
    }
  }
}

/** The HTTP status an SDK's error carries: AWS `$metadata.httpStatusCode`, Google `code`, others `status`/`statusCode`. */
function statusOf(error: unknown): number | undefined {
  const fields = error as { $metadata?: { httpStatusCode?: unknown }; code?: unknown; status?: unknown; statusCode?: unknown }
  for (const value of [fields?.$metadata?.httpStatusCode, fields?.code, fields?.status, fields?.statusCode]) {
    if (typeof value === 'number') return value
  }
  return undefined
}
