import { CloudfnError } from '../../src/errors/cloudfn-error.ts'
import { FunctionError } from '../../src/errors/function-error.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { PayloadTooLargeError } from '../../src/errors/payload-too-large.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { TimeoutError } from '../../src/errors/timeout.ts'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import { failedBeforeSending } from '../../src/network.ts'
import { GCP_LIMITS } from './capabilities.ts'
import { retryAfterMs } from './errors.ts'
import { type CachedIdTokens, idTokenFor } from './id-token.ts'
import type { Endpoint } from './record.ts'
import type { IdTokenProvider } from './settings.ts'

/**
 * The marker in the body of a 500 from Cloud Run that refuses a response over
 * 32 MiB. An instance killed for its memory gets no marker: Cloud Run writes
 * "Memory limit of N MiB exceeded" to Cloud Logging only, and the caller gets
 * a generic 500 (a ProviderError; `capabilities.memoryLimit` is false).
 */
const RESPONSE_SIZE_MARKER = /response size (?:was )?too large|response too large/i

/**
 * The Functions Framework's mark on its own answer when the function's code
 * failed outside the handler's promise (`sendCrashResponse` in
 * @google-cloud/functions-framework build/src/logger.js): `crash` for an
 * uncaught exception, an unhandled rejection or a process exit (invoker.js
 * `ErrorHandler.register`), `error` for a throw it caught. A 5xx without it
 * comes from Cloud Run's front end: the platform failed, not the function.
 */
const FRAMEWORK_STATUS_HEADER = 'x-google-status'

/**
 * POSTs the encoded input to the function's URL with an ID token for it. The
 * body goes as text/plain: the Functions Framework's JSON parser is strict
 * and would refuse a top-level string, number or null, while its text parser
 * keeps the exact bytes in `rawBody` for the shim.
 */
export async function invokeEndpoint(
  name: string,
  endpoint: Endpoint,
  payload: string,
  idTokens: CachedIdTokens,
  signal?: AbortSignal,
): Promise<string> {
  let answer = await post(name, endpoint, payload, idTokens, signal)
  if (answer.response.status === 401) {
    // A cached token that expired early or was revoked: fetch a new one once.
    // Cloud Run refused the call before running anything, so this cannot run it twice.
    idTokens.forget(endpoint.url)
    answer = await post(name, endpoint, payload, idTokens, signal)
  }
  if (answer.response.status === 200) return answer.text
  throw invokeError(name, endpoint, answer.response, answer.text)
}

async function post(
  name: string,
  endpoint: Endpoint,
  payload: string,
  idTokens: IdTokenProvider,
  signal: AbortSignal | undefined,
): Promise<{ response: Response; text: string }> {
  const token = await idTokenFor(idTokens, endpoint.url)
  let response: Response
  try {
    response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
      body: payload,
      signal,
    })
  } catch (cause) {
    if (CloudfnError.isInstance(cause)) throw cause
    throw new ProviderError({
      provider: 'gcp',
      cause,
      // Nothing shows whether the function started before the connection broke.
      notExecuted: failedBeforeSending(cause),
      message: `Invoking '${name}' failed before an answer arrived: ${cause instanceof Error ? cause.message : String(cause)}`,
    })
  }
  return { response, text: await response.text() }
}

function invokeError(name: string, endpoint: Endpoint, response: Response, body: string): CloudfnError {
  const status = response.status
  const base = { provider: 'gcp', message: `Invoking '${name}' failed with HTTP ${status}` }
  switch (status) {
    case 429:
      return new ThrottledError({
        ...base,
        message: `Function '${name}' has no instance free (HTTP 429); it did not run. Retry later or raise maxInstances`,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      })
    case 401:
    case 403:
      return new UnauthorizedError({
        ...base,
        message: `${base.message}: the caller's ID token was refused; it needs roles/run.invoker on the function`,
      })
    case 404:
      return new NotFoundError({ ...base, resource: name, message: `Function '${name}' is not deployed on gcp (HTTP 404)` })
    case 413:
      return new PayloadTooLargeError({ ...base, direction: 'request', limitBytes: GCP_LIMITS.maxBodyBytes })
    case 504:
      return new TimeoutError({
        ...base,
        timeoutSec: endpoint.timeoutSec,
        message: `Function '${name}' timed out after ${endpoint.timeoutSec} s; raise timeoutSec or make it faster`,
      })
  }
  if (status === 500 && RESPONSE_SIZE_MARKER.test(body)) {
    return new PayloadTooLargeError({
      ...base,
      direction: 'response',
      limitBytes: GCP_LIMITS.maxBodyBytes,
      message: `The response of '${name}' is over gcp's ${GCP_LIMITS.maxBodyBytes} bytes; return less data or a reference`,
    })
  }
  const frameworkStatus = response.headers.get(FRAMEWORK_STATUS_HEADER)
  if (status === 500 && (frameworkStatus === 'crash' || frameworkStatus === 'error')) {
    return new FunctionError({
      provider: 'gcp',
      functionName: name,
      remoteName: 'Error',
      remoteMessage:
        "The function's instance crashed (an uncaught exception, an unhandled rejection or a process exit) before answering; see its logs in Cloud Logging",
    })
  }
  // The front end failed: transient (retryable, as on AWS and Azure), but the function may have run, so
  // `notExecuted` stays false and the client does not repeat a synchronous invoke (src/handle.ts).
  return new ProviderError({ ...base, status, message: `${base.message}: ${body.slice(0, 200)}` })
}
