import { HttpResponse, http } from 'msw'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { AWS_LIMITS } from '../capabilities.ts'
import { admit, ReservedConcurrencyExceeded } from './concurrency.ts'
import { findFunction, runtimeOf } from './functions.ts'
import type { EmulatedFunction } from './model.ts'
import { connectionReset, type EmulatorEnv, route } from './router.ts'
import type { Execution } from './runtime.ts'
import { enqueue, newMessage } from './sqs-model.ts'
import { checkInvokeName } from './validate.ts'
import { AwsFault } from './wire.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })
const QUEUE_ATTEMPTS = 20
/** Lambda retries a failed asynchronous invocation twice. */
const ASYNC_RETRIES = 2

/** Lambda's 429; the Reason tells the function's reservation (concurrency.ts) from the account's concurrency. */
function throttled(env: EmulatorEnv, error: unknown): AwsFault {
  const reserved = error instanceof ReservedConcurrencyExceeded
  return new AwsFault(429, 'TooManyRequestsException', 'Rate Exceeded.', {
    headers: { 'Retry-After': String(env.state.options.throttleRetryAfterSec) },
    fields: { Reason: reserved ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded' },
  })
}

/** Runs the live version once and writes its log; `ThrottledError` means it did not start. */
export async function execute(env: EmulatorEnv, fn: EmulatedFunction, event: string, requestId: string): Promise<Execution> {
  // Every invocation type counts against the function's reserved concurrency, held until it ends.
  const release = admit(fn)
  try {
    const execution = await runtimeOf(env, fn, fn.live).execute(event, requestId, () => env.state.countExecution(fn.name))
    env.state.appendLog(fn.name, execution.logStream, execution.log)
    return execution
  } finally {
    release()
  }
}

/**
 * An event whose retries ran out goes, as Lambda's invocation record, to the
 * on-failure destination (only SQS is modelled); the record's fields follow
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html.
 */
function sendFailureRecord(
  env: EmulatorEnv,
  fn: EmulatedFunction,
  event: string,
  requestId: string,
  execution: Execution,
  invokeCount: number,
): void {
  const queue = env.state.queueByArn(fn.eventInvokeConfig?.onFailure ?? '')
  if (!queue) return
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  const record = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: `${fn.arn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: invokeCount,
    },
    requestPayload: parse(event),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: parse(execution.body),
  }
  enqueue(queue, newMessage(JSON.stringify(record)))
}

/**
 * The event queue of asynchronous invocations: retried while throttled, and
 * twice (or as the event invoke configuration says) after a function error. Resolves once the event is done with.
 */
export function enqueueAsync(env: EmulatorEnv, fn: EmulatedFunction, event: string, requestId: string): Promise<void> {
  const { asyncRetryDelayMs } = env.state.options
  const task = (async () => {
    let failures = 0
    for (let attempt = 0; attempt < QUEUE_ATTEMPTS; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? 0 : asyncRetryDelayMs))
      // A closed emulator starts nothing more: an instance started now would outlive it.
      if (env.state.closed || !env.state.functions.has(fn.name)) return
      try {
        const execution = await execute(env, fn, event, requestId)
        if (!execution.functionError) return
        // The function's event invoke configuration (async-config.ts) may lower the retries from 2 to 0 or 1.
        if (++failures > (fn.eventInvokeConfig?.maximumRetryAttempts ?? ASYNC_RETRIES)) {
          sendFailureRecord(env, fn, event, requestId, execution, failures)
          return
        }
      } catch (error) {
        if (!ThrottledError.isInstance(error)) return
      }
    }
  })()
  env.state.pendingAsync.add(task)
  void task.finally(() => env.state.pendingAsync.delete(task))
  return task
}

export function invokeHandlers(env: EmulatorEnv, base: string) {
  return [
    http.post(
      `${base}/2015-03-31/functions/:name/invocations`,
      route(env, 'rest-json', 'Invoke', async ({ params, request, requestId, fault }) => {
        checkInvokeName(request)
        const fn = findFunction(env, params.name, '$LATEST')
        if (fn.state !== 'Active') {
          throw new AwsFault(
            409,
            'ResourceConflictException',
            `The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}`,
          )
        }
        const type = request.headers.get('x-amz-invocation-type') ?? 'RequestResponse'
        const bytes = new Uint8Array(await request.arrayBuffer())
        const limit = type === 'Event' ? AWS_LIMITS.asyncRequestBytes : AWS_LIMITS.syncRequestBytes
        if (bytes.byteLength > limit) {
          throw new AwsFault(
            413,
            'RequestTooLargeException',
            `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
          )
        }
        let event: string
        try {
          event = bytes.byteLength === 0 ? '{}' : decoder.decode(bytes)
          JSON.parse(event)
        } catch {
          throw new AwsFault(
            400,
            'InvalidRequestContentException',
            'Could not parse request body into json: Could not parse payload into json',
          )
        }
        const headers: Record<string, string> = { 'x-amzn-RequestId': requestId }
        if (type === 'DryRun') return new HttpResponse(null, { status: 204, headers })
        if (type === 'Event') {
          void enqueueAsync(env, fn, event, requestId)
          return new HttpResponse(null, { status: 202, headers })
        }
        if (type !== 'RequestResponse')
          throw new AwsFault(400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`)
        let execution: Execution
        try {
          execution = await execute(env, fn, event, requestId)
        } catch (error) {
          if (ThrottledError.isInstance(error)) throw throttled(env, error)
          throw error
        }
        if (fault?.kind === 'fail-after-run') {
          if (fault.status === undefined) return connectionReset()
          throw new AwsFault(fault.status, 'ServiceException', 'The service encountered an internal error.')
        }
        headers['X-Amz-Executed-Version'] = '$LATEST'
        headers['content-type'] = 'application/json'
        if (execution.functionError) headers['X-Amz-Function-Error'] = 'Unhandled'
        if (request.headers.get('x-amz-log-type') === 'Tail') {
          const tail = Buffer.from(execution.log, 'utf8')
          headers['X-Amz-Log-Result'] = tail.subarray(Math.max(0, tail.byteLength - AWS_LIMITS.logTailBytes)).toString('base64')
        }
        return new HttpResponse(execution.body, { status: 200, headers })
      }),
    ),
  ]
}
