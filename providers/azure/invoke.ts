import { NotFoundError } from '../../src/errors/not-found.ts'
import { PayloadTooLargeError } from '../../src/errors/payload-too-large.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { TimeoutError } from '../../src/errors/timeout.ts'
import { UnauthorizedError } from '../../src/errors/unauthorized.ts'
import { failedBeforeSending, networkErrorCode, parseRetryAfter } from '../../src/network.ts'
import { KEY_HEADER } from './triggers/events.ts'

/** Where and how to call one deployed function. The key never leaves this module's callers. */
export interface InvokeTarget {
  url: string
  key: string
  timeoutSec: number
}

/** The front end gives up on a response that has not started after 230 s. */
const FRONT_END_LIMIT_MS = 230_000
/** Timers and the network make a timed-out call return a little early or late. */
const DEADLINE_SLACK_MS = 100

export type TargetLookup = (name: string, signal: AbortSignal | undefined) => Promise<InvokeTarget>

/**
 * Invokes functions with a plain keyed POST: no SDK on this path. Keys are
 * cached per function; a 401 from the envelope endpoint (whose handler never
 * answers one: the key rotated) refetches it once, which is safe because the
 * host refused the call before running anything.
 */
export class Invoker {
  readonly #targets = new Map<string, Promise<InvokeTarget>>()
  readonly #lookup: TargetLookup

  constructor(lookup: TargetLookup) {
    this.#lookup = lookup
  }

  remember(name: string, target: InvokeTarget): void {
    this.#targets.set(name, Promise.resolve(target))
  }

  /**
   * Drops the cached target of `name`; with `used`, only if it is still the
   * one that call used, so concurrent calls refused with an old key start one
   * lookup between them, not one each.
   */
  forget(name: string, used?: Promise<InvokeTarget>): void {
    if (used === undefined || this.#targets.get(name) === used) this.#targets.delete(name)
  }

  #target(name: string, signal: AbortSignal | undefined): Promise<InvokeTarget> {
    let target = this.#targets.get(name)
    if (!target) {
      const lookup = this.#lookup(name, signal)
      target = lookup
      this.#targets.set(name, lookup)
      lookup.catch(() => this.forget(name, lookup))
    }
    return target
  }

  /**
   * Calls an HTTP-triggered function at its own URL with its key. Redirects
   * are never followed (as on the local fake): fetch would carry the key to
   * whatever origin the handler names. The host's refusal of a key and a
   * handler's own 401 look alike, so a 401 is sent again only when the key
   * read anew differs from the one refused: a handler that answered 401
   * itself has run, and must not run twice.
   */
  async fetchWithKey(name: string, request: Request, signal: AbortSignal | undefined): Promise<Response> {
    // The body may be needed twice: read it once.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined
    const send = (key: string) => {
      const headers = new Headers(request.headers)
      headers.set(KEY_HEADER, key)
      return fetch(new Request(request, { headers, body, signal, redirect: 'manual' }))
    }
    const used = this.#target(name, signal)
    const { key } = await used
    const response = await send(key)
    if (response.status !== 401) return response
    this.forget(name, used)
    let fresh: string
    try {
      fresh = (await this.#target(name, signal)).key
    } catch (error) {
      await response.body?.cancel()
      throw error
    }
    if (fresh === key) return response
    await response.body?.cancel()
    return send(fresh)
  }

  async invoke(name: string, payload: string, signal: AbortSignal | undefined): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const used = this.#target(name, signal)
      const target = await used
      const started = performance.now()
      const response = await this.#post(name, target, payload, signal)
      if ((response.status === 401 || response.status === 403) && attempt === 0) {
        await response.body?.cancel()
        this.forget(name, used)
        continue
      }
      return this.#read(name, target, response, performance.now() - started)
    }
  }

  async #post(name: string, target: InvokeTarget, payload: string, signal: AbortSignal | undefined): Promise<Response> {
    try {
      return await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [KEY_HEADER]: target.key },
        body: payload,
        signal,
      })
    } catch (error) {
      if (signal?.aborted) throw error
      const code = networkErrorCode(error)
      if (code === 'ENOTFOUND') {
        // A deleted app's host name stops resolving.
        this.forget(name)
        throw new NotFoundError({
          provider: 'azure',
          resource: name,
          cause: error,
          message: `Function '${name}' is not deployed on azure (its host name does not resolve); deploy it first`,
        })
      }
      throw new ProviderError({
        provider: 'azure',
        cause: error,
        // Failures before sending never reached the host; anything else may have.
        notExecuted: failedBeforeSending(error),
        message: `The call to '${name}' failed on the network (${code ?? 'no answer'})`,
      })
    }
  }

  async #read(name: string, target: InvokeTarget, response: Response, elapsedMs: number): Promise<string> {
    const status = response.status
    if (status === 200) return response.text()
    await response.body?.cancel()
    const base = { provider: 'azure' }
    const timedOut = elapsedMs >= target.timeoutSec * 1000 - DEADLINE_SLACK_MS
    switch (true) {
      case status === 401 || status === 403:
        this.forget(name)
        return Promise.reject(
          new UnauthorizedError({
            ...base,
            message: `The function host of '${name}' refused its key (HTTP ${status}); redeploy or check the function's keys`,
          }),
        )
      case status === 404:
        this.forget(name)
        return Promise.reject(
          new NotFoundError({ ...base, resource: name, message: `Function '${name}' is not deployed on azure; deploy it first` }),
        )
      case status === 413:
        return Promise.reject(
          new PayloadTooLargeError({
            ...base,
            direction: 'request',
            limitBytes: 100 * 1024 * 1024,
            message: `The function host of '${name}' refused the request body as too large`,
          }),
        )
      case status === 429:
        return Promise.reject(
          new ThrottledError({
            ...base,
            retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
            message: `'${name}' is at its maximum instance count (HTTP 429); it did not run. Retry later or raise maxInstances`,
          }),
        )
      case status === 504 || (status === 502 && elapsedMs >= FRONT_END_LIMIT_MS) || (status === 500 && timedOut):
        return Promise.reject(
          new TimeoutError({
            ...base,
            timeoutSec: target.timeoutSec,
            message: `Function '${name}' timed out after ${target.timeoutSec} s; raise timeoutSec (at most 230 s on azure) or make it faster`,
          }),
        )
      case status === 500:
        // The shim answers every failure of the function's code with its envelope, crashes of the worker
        // included (crash-guard.ts); the host answers its own failures with the same bare 500 (ExceptionMiddleware).
        return Promise.reject(
          new ProviderError({
            ...base,
            status,
            message: `The function host of '${name}' answered HTTP 500 without cloudfn's envelope: the platform failed, or the worker died in a way the shim could not answer (killed for its memory); see the host's logs in Application Insights`,
          }),
        )
      default:
        return Promise.reject(
          new ProviderError({ ...base, status, message: `The function host of '${name}' answered HTTP ${status}` }),
        )
    }
  }
}
