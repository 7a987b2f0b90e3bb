import { randomUUID } from 'node:crypto'
import { HttpResponse } from 'msw'
import { requestLine } from '../../../src/emulator/faults.ts'
import type { AwsFaults, AwsFault as InjectedFault } from './faults.ts'
import type { AwsEmulatorState } from './state.ts'
import { AwsFault, type Protocol, renderError } from './wire.ts'

export interface EmulatorEnv {
  state: AwsEmulatorState
  faults: AwsFaults
}

export interface RouteContext {
  request: Request
  /** Path parameters, decoded. */
  params: Record<string, string>
  requestId: string
  /** A fault the route must apply itself (role-not-assumable, fail-after-run). */
  fault: InjectedFault | undefined
}

export type RouteHandler = (context: RouteContext) => Promise<Response>

/** A request resolved; `error()` is how msw answers with a network failure (a reset connection). */
export const connectionReset = (): Response => HttpResponse.error()

const THROTTLE: Record<Protocol, [number, string, string]> = {
  'rest-json': [429, 'TooManyRequestsException', 'Rate Exceeded.'],
  'json-1.1': [400, 'ThrottlingException', 'Rate exceeded'],
  'query-xml': [400, 'Throttling', 'Rate exceeded'],
  scheduler: [429, 'ThrottlingException', 'Rate exceeded'],
  sqs: [400, 'RequestThrottled', 'Request is throttled.'],
  s3: [503, 'SlowDown', 'Please reduce your request rate.'],
}
const SERVER_ERROR: Record<Protocol, string> = {
  'rest-json': 'ServiceException',
  'json-1.1': 'ServiceUnavailableException',
  'query-xml': 'ServiceFailure',
  scheduler: 'InternalServerException',
  sqs: 'InternalError',
  s3: 'InternalError',
}

function functionNameOf(params: Record<string, string>): string | undefined {
  const raw = params.name
  if (raw === undefined) return undefined
  // Lambda accepts a name or an ARN wherever it takes FunctionName.
  const match = /function:([^:]+)/.exec(raw)
  return match ? match[1] : raw
}

/** The region a full function ARN names, if the name is one. */
function arnRegionOf(params: Record<string, string>): string | undefined {
  return /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):\d{12}:function:/.exec(params.name ?? '')?.[1]
}

/**
 * Wraps a route with what every AWS endpoint does: counts the request,
 * requires a SigV4 signature, applies injected faults and renders AwsFault
 * as the service's own error answer.
 */
export function route(
  env: EmulatorEnv,
  protocol: Protocol,
  operation: string | ((request: Request) => string | Promise<string>),
  handler: RouteHandler,
  /** What a fault's `match` is tested against, when not the request's `METHOD /path` (S3: path-style, the bucket included). */
  line: (request: Request) => string = requestLine,
): (info: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => Promise<Response> {
  return async ({ request, params: rawParams }) => {
    const params: Record<string, string> = {}
    for (const [key, value] of Object.entries(rawParams)) if (typeof value === 'string') params[key] = decodeURIComponent(value)
    const arnRegion = arnRegionOf(params)
    const name = functionNameOf(params)
    if (name !== undefined) params.name = name
    const op = typeof operation === 'string' ? operation : await operation(request)
    env.state.record(op)
    const requestId = randomUUID()
    try {
      if (!request.headers.get('authorization')?.startsWith('AWS4-HMAC-SHA256 ')) {
        throw new AwsFault(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token')
      }
      if (arnRegion !== undefined && arnRegion !== env.state.options.region) {
        // As recorded from AWS (LocalStack snapshot test_get_function_wrong_region).
        throw new AwsFault(
          404,
          'ResourceNotFoundException',
          `Functions from '${arnRegion}' are not reachable in this region ('${env.state.options.region}')`,
        )
      }
      const fault = env.faults.take({ on: op, line: line(request), functionName: name })
      switch (fault?.kind) {
        case 'reset':
          return connectionReset()
        case 'throttle': {
          const [status, type, message] = THROTTLE[protocol]
          throw new AwsFault(status, type, message, {
            headers: { 'Retry-After': String(fault.retryAfterSec ?? 1) },
            fields: protocol === 'rest-json' ? { Reason: 'CallerRateLimitExceeded' } : {},
          })
        }
        case 'server-error':
          throw new AwsFault(
            fault.status ?? 500,
            fault.code ?? SERVER_ERROR[protocol],
            fault.message ?? 'The service encountered an internal error.',
          )
        case 'slow':
          await new Promise((resolve) => setTimeout(resolve, fault.ms))
          break
        case 'update-in-progress':
          throw new AwsFault(
            409,
            'ResourceConflictException',
            `The operation cannot be performed at this time. An update is in progress for resource: ${env.state.functionArn(name ?? '')}`,
          )
      }
      return await handler({ request, params, requestId, fault })
    } catch (error) {
      if (error instanceof AwsFault) return renderError(protocol, error, requestId)
      throw error
    }
  }
}
