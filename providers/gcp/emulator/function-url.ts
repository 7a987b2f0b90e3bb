import { randomBytes, randomUUID } from 'node:crypto'
import { delay, HttpResponse } from 'msw'
import { failingBody, fetchCanDecode } from '../../../src/content-coding.ts'
import { OutOfMemoryError } from '../../../src/errors/out-of-memory.ts'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { TimeoutError } from '../../../src/errors/timeout.ts'
import { GCP_LIMITS } from '../capabilities.ts'
import { shortName } from '../names.ts'
import { storedTrigger } from '../triggers/stored.ts'
import type { GcpFault, GcpFaults } from './faults.ts'
import { plainError } from './google-errors.ts'
import { checkIdToken } from './id-token.ts'
import type { HostRequest } from './protocol.ts'
import { isPublic } from './run-iam.ts'
import type { EmulatedFunction, GcpEmulatorState } from './state.ts'

/** Serves one request on a function's URL; `faults: false` for the platform's own deliveries (Scheduler, Pub/Sub). */
export type ServeFunction = (request: Request, options?: { faults?: boolean }) => Promise<Response>

/**
 * The headers the function sees: the caller's (Authorization included, as
 * Cloud Run forwards it), in order with repeats, plus what Cloud Run adds.
 *
 * A body on the HTTP/1.1 wire is always framed by Content-Length or
 * Transfer-Encoding (RFC 9112 §6.3), and the framework's body parsers read
 * none without (type-is `hasBody`). A `Request` built in process, as Pub/Sub
 * and Scheduler deliveries are, has neither until it is sent: the length is
 * added here as the wire would carry it.
 */
function rawHeadersOf(request: Request, url: URL, bodyBytes: number): string[] {
  const raw = ['host', url.host]
  for (const [name, value] of request.headers) {
    if (name !== 'host' && name !== 'set-cookie') raw.push(name, value)
  }
  const framed = request.headers.has('content-length') || request.headers.has('transfer-encoding')
  if (!framed && bodyBytes > 0) raw.push('content-length', String(bodyBytes))
  for (const cookie of request.headers.getSetCookie()) raw.push('set-cookie', cookie)
  raw.push(
    'function-execution-id',
    randomUUID().replace(/-/g, '').slice(0, 12),
    'x-cloud-trace-context',
    `${randomBytes(16).toString('hex')}/${BigInt(`0x${randomBytes(6).toString('hex')}`)};o=1`,
    'x-forwarded-proto',
    'https',
  )
  return raw
}

/**
 * What the Functions Framework answers the request in flight when the code
 * crashes its instance: its `ErrorHandler.register` (build/src/invoker.js)
 * catches an uncaught exception, an unhandled rejection and a process exit and
 * calls `sendCrashResponse` (build/src/logger.js), which sets
 * `X-Google-Status: crash` and, with `NODE_ENV=production` as in the
 * container, `sendStatus(500)`. Here the instance's process is gone before the
 * loopback answer is read back, so the front end gives that answer itself.
 */
function crashAnswer(): Response {
  return plainError(500, 'Internal Server Error', { 'x-google-status': 'crash' })
}

/** Cloud Run's front end's plain-text bodies for its own 5xx answers. */
const FRONT_END_TEXT: Record<number, string> = { 500: 'Internal Server Error', 503: 'Service Unavailable' }
const frontEndError = (status: number, message?: string) =>
  plainError(status, message ?? FRONT_END_TEXT[status] ?? 'Internal Server Error')

/** The answer a fault gives before the function runs, if it is one that does. */
async function faultAnswer(fault: GcpFault | undefined): Promise<Response | undefined> {
  if (fault?.kind === 'reset') return HttpResponse.error()
  if (fault?.kind === 'throttle') return plainError(429, 'Rate exceeded.', { 'retry-after': String(fault.retryAfterSec ?? 1) })
  if (fault?.kind === 'server-error') return frontEndError(fault.status ?? 500, fault.message)
  if (fault?.kind === 'slow') await delay(fault.ms)
  return undefined
}

/**
 * A function's URL on Cloud Run: checks the caller's ID token (unless the
 * service grants roles/run.invoker to allUsers), runs the request on an
 * instance of the serving revision, and answers what Cloud Run's front end
 * answers when that goes wrong:
 * - no free instance: 429 "Rate exceeded." (the function did not run);
 * - past the timeout: 504 "upstream request timeout" (from inside the instance, host.ts);
 * - over the memory limit: the instance is killed and the request gets the
 *   same generic 500 as a crash. "Memory limit of N MiB exceeded" is a line in
 *   Cloud Logging, not in the response (https://cloud.google.com/run/docs/troubleshooting#memory),
 *   so the caller cannot tell it from another failure;
 * - a response over 32 MiB: 500 "Response size was too large";
 * - a crash: the framework's own answer (crashAnswer).
 */
export function createFunctionUrl(state: GcpEmulatorState, faults: GcpFaults): ServeFunction {
  return async (request, options = {}) => {
    const url = new URL(request.url)
    const fn = state.byUrl(url.origin)
    const target = storedTrigger(fn?.resource.serviceConfig.environmentVariables)?.kind === 'http' ? 'http' : 'invoke'
    const fault =
      options.faults === false
        ? undefined
        : faults.take({ on: target, line: `${request.method} ${url.pathname}`, functionName: fn && shortName(fn.resource.name) })
    const early = await faultAnswer(fault)
    if (early) return early

    if (!fn?.revision) return plainError(404, 'Error: Page not found. The requested URL was not found on this server.')
    const open = isPublic(state.servicePolicies.get(fn.resource.serviceConfig.service))
    if (!open) {
      const auth = checkIdToken(request.headers.get('authorization'), fn.resource.serviceConfig.uri)
      if (!auth.ok) {
        const text = auth.status === 403 ? 'Error: Forbidden. Your client does not have permission to get URL.' : 'Unauthorized'
        return plainError(
          auth.status,
          text,
          auth.status === 401
            ? { 'www-authenticate': 'Bearer error="invalid_token" error_description="The access token could not be verified"' }
            : {},
        )
      }
    }
    const body = Buffer.from(await request.arrayBuffer())
    if (body.byteLength > GCP_LIMITS.maxBodyBytes) return plainError(413, 'Error: Request Entity Too Large')
    const answer = await run(state, fn, {
      method: request.method,
      path: url.pathname + url.search,
      rawHeaders: rawHeadersOf(request, url, body.byteLength),
      body: body.toString('base64'),
    })
    if (fault?.kind !== 'fail-after-run') return answer
    return fault.status === undefined ? HttpResponse.error() : frontEndError(fault.status)
  }
}

async function run(state: GcpEmulatorState, fn: EmulatedFunction, hostRequest: HostRequest) {
  const name = shortName(fn.resource.name)
  const revision = fn.revision as NonNullable<EmulatedFunction['revision']>
  let outcome: Awaited<ReturnType<Sandbox['run']>>
  try {
    outcome = await revision.sandbox.run(hostRequest, () => state.countExecution(name))
  } catch (error) {
    if (ThrottledError.isInstance(error)) return plainError(429, 'Rate exceeded.')
    if (TimeoutError.isInstance(error)) return plainError(504, 'upstream request timeout')
    if (OutOfMemoryError.isInstance(error)) return plainError(500, 'Internal Server Error')
    throw error
  }
  if (outcome.kind === 'crash') return crashAnswer()
  const reply = outcome.result
  const bytes = Buffer.from(reply.body, 'base64')
  if (bytes.byteLength > GCP_LIMITS.maxBodyBytes) {
    return plainError(500, 'Response size was too large. Please consider reducing response size.')
  }
  const headers = new Headers()
  for (const [name, value] of reply.headers) headers.append(name, value)
  const nullBody = reply.status === 204 || reply.status === 304 || hostRequest.method === 'HEAD'
  if (nullBody) return new HttpResponse(null, { status: reply.status, headers })
  const coding = headers.get('content-encoding')
  // The caller's fetch fails on a body not in its declared coding; msw would never finish reading it.
  if (!fetchCanDecode(coding, bytes)) return new HttpResponse(failingBody(coding), { status: reply.status, headers })
  return new HttpResponse(bytes, { status: reply.status, headers })
}

type Sandbox = NonNullable<EmulatedFunction['revision']>['sandbox']
