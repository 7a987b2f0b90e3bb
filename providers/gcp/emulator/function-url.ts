import { randomBytes, randomUUID } from 'node:crypto'
import { HttpResponse } from 'msw'
import { OutOfMemoryError } from '../../../src/errors/out-of-memory.ts'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { TimeoutError } from '../../../src/errors/timeout.ts'
import { GCP_LIMITS } from '../capabilities.ts'
import { shortName } from '../names.ts'
import type { Faults } from './faults.ts'
import { plainError } from './google-errors.ts'
import { checkIdToken } from './id-token.ts'
import type { GcpEmulatorState } from './state.ts'

/**
 * A function's URL on Cloud Run: checks the caller's ID token, runs the
 * request on an instance of the serving revision, and answers what Cloud
 * Run's front end answers when that goes wrong:
 * - no free instance: 429 "Rate exceeded." (the function did not run);
 * - past the timeout: 504 "upstream request timeout";
 * - over the memory limit: the instance is killed and the request gets a 500
 *   whose body carries the log line Cloud Run writes, "Memory limit of N MiB
 *   exceeded with M MiB used" (the provider reads it back as OutOfMemory);
 * - a response over 32 MiB: 500 "Response size was too large";
 * - a crash: 500 "Internal Server Error".
 */
export function createFunctionUrl(state: GcpEmulatorState, faults: Faults) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const fault = faults.take('invoke', request.method)
    if (fault?.kind === 'reset') return HttpResponse.error()
    if (fault?.kind === 'throttle') {
      return plainError(429, 'Rate exceeded.', { 'retry-after': String(fault.retryAfterSec ?? 1) })
    }
    if (fault?.kind === 'unavailable') return plainError(503, 'Service Unavailable')
    if (fault?.kind === 'internal') return plainError(500, 'Internal Server Error')

    const fn = state.byUrl(url.origin)
    if (!fn?.revision) return plainError(404, 'Error: Page not found. The requested URL was not found on this server.')
    const auth = checkIdToken(request.headers.get('authorization'), fn.resource.serviceConfig.uri)
    if (!auth.ok) {
      const text = auth.status === 403 ? 'Error: Forbidden. Your client does not have permission to get URL.' : 'Unauthorized'
      return plainError(auth.status, text, auth.status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {})
    }
    const body = await request.text()
    if (Buffer.byteLength(body) > GCP_LIMITS.maxBodyBytes) return plainError(413, 'Error: Request Entity Too Large')

    const headers: Record<string, string> = {}
    request.headers.forEach((value, key) => {
      if (key !== 'authorization') headers[key] = value
    })
    headers['function-execution-id'] = randomUUID().replace(/-/g, '').slice(0, 12)
    headers['x-cloud-trace-context'] = `${randomBytes(16).toString('hex')}/${BigInt(`0x${randomBytes(6).toString('hex')}`)};o=1`
    const name = shortName(fn.resource.name)
    const { revision } = fn
    let outcome: Awaited<ReturnType<typeof revision.sandbox.run>>
    try {
      outcome = await revision.sandbox.run({ method: request.method, path: url.pathname + url.search, headers, body }, () =>
        state.countExecution(name),
      )
    } catch (error) {
      if (ThrottledError.isInstance(error)) return plainError(429, 'Rate exceeded.')
      if (TimeoutError.isInstance(error)) return plainError(504, 'upstream request timeout')
      if (OutOfMemoryError.isInstance(error)) {
        return plainError(
          500,
          `Memory limit of ${revision.memoryMb} MiB exceeded with ${revision.memoryMb + 1} MiB used. Consider increasing the memory limit.`,
        )
      }
      throw error
    }
    if (fault?.kind === 'internal-after-run') return plainError(500, 'Internal Server Error')
    if (outcome.kind === 'crash') return plainError(500, 'Internal Server Error')
    const reply = outcome.result
    if (Buffer.byteLength(reply.body) > GCP_LIMITS.maxBodyBytes) {
      return plainError(500, 'Response size was too large. Please consider reducing response size.')
    }
    return new HttpResponse(reply.body, { status: reply.status, headers: reply.headers })
  }
}
