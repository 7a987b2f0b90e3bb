/**
 * Worker side of the AWS emulator: what Lambda's Node.js runtime (aws-lambda-ric;
 * 3.x for nodejs20.x / nodejs22.x, 4.x for nodejs24.x) does for one instance.
 * It loads the handler named by the Handler setting, calls it one event at a
 * time with Lambda's context object, and answers with exactly the body the
 * runtime would post to the Runtime API: the serialised result, or the error
 * as `{ errorType, errorMessage, trace }`. ric-differential.test.ts runs the
 * same handlers under the real runtime client and compares.
 */
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import { logError, patchConsole, setLogFile, setRequestId, takeOutput } from './host-console.ts'
import {
  type Generation,
  generationOf,
  JSONStringifyError,
  NODEJS_EXIT_MESSAGE,
  NodeJsExit,
  toRapidResponse,
  UnhandledPromiseRejection,
} from './host-errors.ts'
import { type LoadedHandler, loadHandler } from './host-loader.ts'
import { loopEmpty, startTracking } from './host-loop.ts'
import type { HostData, HostReply, HostRequest } from './protocol.ts'

const data = workerData as HostData
const generation: Generation = generationOf(data.runtime)
patchConsole(generation)

type Answer = { ok: true; body: string } | { ok: false; body: string }

/** The invocation in progress: where an uncaught error is reported. */
let current: ((answer: Answer) => void) | undefined

function errorAnswer(error: unknown): Answer {
  return { ok: false, body: JSON.stringify(toRapidResponse(error, generation)) }
}

/** 3.x reports an error thrown or rejected outside the handler's promise as the invocation's error (and exits). */
function onUncaught(label: string, error: unknown): void {
  if (generation === 4) {
    // 4.x installs no handler: Node prints the error and the runtime process exits with status 1.
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? String(error)) : String(error)}\n\nNode.js ${process.version}\n`,
    )
    process.exit(1)
  }
  logError(label, error)
  current?.(errorAnswer(error))
}

// The sandbox's own last-resort listener (process-bootstrap.ts) would end the instance on any uncaught error;
// here the runtime decides, as aws-lambda-ric does, so it goes.
process.removeAllListeners('uncaughtException')
process.on('uncaughtException', (error) => onUncaught('Uncaught Exception', error))
process.on('unhandledRejection', (reason) => {
  if (generation === 4) return onUncaught('', reason)
  onUncaught('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason))
})

function serialize(result: unknown): string {
  try {
    return JSON.stringify(result === undefined ? null : result)
  } catch {
    // 3.x throws a plain Error with this text; 4.x names it.
    throw generation === 3
      ? new Error('Unable to stringify response body')
      : new JSONStringifyError('Unable to stringify response body')
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return Boolean(value && typeof (value as { then?: unknown }).then === 'function')
}

interface ContextData {
  request: HostRequest
}

/** The context fields both generations set from the environment and the invoke headers. */
function contextFields({ request }: ContextData): Record<string, unknown> {
  const deadline = request.deadline
  const fields: Record<string, unknown> = {
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: request.clientContext === undefined ? undefined : JSON.parse(request.clientContext),
    identity: undefined,
    invokedFunctionArn: request.invokedFunctionArn,
    awsRequestId: request.requestId,
    tenantId: undefined,
    // Not clamped: the runtime returns a negative number once the deadline has passed.
    getRemainingTimeInMillis: () => deadline - Date.now(),
  }
  if (generation === 4) fields.xRayTraceId = request.traceId
  return fields
}

/** 3.x: promise, callback or context.succeed/fail/done, whichever comes first (src/Runtime.js, CallbackContext.js). */
function invokeV3(loaded: LoadedHandler, event: unknown, request: HostRequest): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false
    let completeInvoked = false
    let finished = false
    let waitForEmptyEventLoop = true
    /** The runtime's BeforeExitListener: what happens when the event loop empties. */
    let onEmpty: (() => void) | undefined
    const answer = (value: Answer) => {
      if (answered) return
      answered = true
      resolve(value)
    }
    current = answer
    const postError = (error: unknown) => {
      logError('Invoke Error', error)
      answer(errorAnswer(error))
    }
    const complete = (result: unknown) => {
      if (completeInvoked) {
        console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.')
        return
      }
      completeInvoked = true
      answer({ ok: true, body: serialize(result) })
    }
    const callback = (error?: unknown, result?: unknown) => {
      onEmpty = undefined
      if (error !== undefined && error !== null) postError(error)
      else if (!waitForEmptyEventLoop) complete(result)
      else onEmpty = () => setImmediate(() => guarded(() => complete(result)))
    }
    const done = (error?: unknown, result?: unknown) => {
      onEmpty = undefined
      if (error !== undefined && error !== null) postError(error)
      else complete(result)
    }
    // A serialisation failure inside complete() is reported as the invocation's error.
    const guarded = (work: () => void) => {
      try {
        work()
      } catch (error) {
        postError(error)
      }
    }
    const once =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (finished) return
        fn(...args)
        finished = true
      }
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waitForEmptyEventLoop = value
      },
      succeed: once((result?: unknown) => done(null, result)),
      fail: once((error?: unknown) => (error === undefined || error === null ? done('handled') : done(error, null))),
      done: once(done),
      ...contextFields({ request }),
    }
    onEmpty = () => {
      completeInvoked = true
      if (loaded.isAsync) postError(new NodeJsExit(NODEJS_EXIT_MESSAGE))
      else answer({ ok: true, body: 'null' })
    }
    const wrappedCallback = once(callback)
    try {
      const result = loaded.handler(event, context, wrappedCallback)
      if (isPromise(result)) result.then(context.succeed, context.fail).catch(context.fail)
    } catch (error) {
      wrappedCallback(error)
    }
    const watch = async () => {
      while (!answered) {
        if (!(await loopEmpty(() => answered))) return
        const listener = onEmpty
        if (!listener) return
        onEmpty = undefined
        guarded(listener)
      }
    }
    void watch()
  })
}

/** 4.x: `await handler(event, context)` (src/runtime/buffered-invoke-processor.ts). */
async function invokeV4(loaded: LoadedHandler, event: unknown, request: HostRequest): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false
    const answer = (value: Answer) => {
      answered = true
      resolve(value)
    }
    current = answer
    void (async () => {
      try {
        const result = await loaded.handler(event, contextFields({ request }))
        answer({ ok: true, body: serialize(result) })
      } catch (error) {
        logError('Invoke Error', error)
        answer(errorAnswer(error))
      }
    })()
    // A promise that never settles and nothing left to run: Node ends the runtime process.
    void loopEmpty(() => answered).then((empty) => {
      if (empty) process.exit(0)
    })
  })
}

/**
 * Lambda's Init phase (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html,
 * "Init phase"): the runtime loads the function's code when the execution
 * environment starts, before the first Invoke, under a budget of its own:
 * "The Init phase is limited to 10 seconds" for on-demand functions, not the
 * function's timeout. So the code is loaded here, before `serveSandbox` tells
 * the sandbox the instance is ready, and the sandbox keeps an instance's start
 * out of the request's time. A 1 s function whose cold start takes 1.5 s on a
 * busy machine runs, as on Lambda.
 *
 * Past the 10 s, Lambda "retries the Init phase at the time of the first
 * function invocation with the configured function timeout": here the
 * instance turns ready anyway and the first request waits for the load still
 * running, under the function's timeout (a load cannot be restarted in the
 * same process; docs/FIDELITY.md, The Init phase).
 */
const INIT_BUDGET_MS = (data.initTimeoutSec ?? 10) * 1000

const initStarted = performance.now()
/** How long the load took, reported once (REPORT's Init Duration) by the first invocation. */
let initMs: number | undefined
let initReported = false
// Host's own timer, made before tracking starts: it is not the function's handle (host-loop.ts).
let budgetOver: () => void = () => {}
const budget = new Promise<void>((resolve) => {
  budgetOver = resolve
})
const budgetTimer = setTimeout(() => budgetOver(), INIT_BUDGET_MS)
// From here on what is opened is the function's (patchConsole above already opened the host's own streams).
startTracking()
const handler: Promise<LoadedHandler> = loadHandler(data.codeDir, data.handler, generation)
// 3.x's bootstrap lets the load error escape as an uncaught exception; 4.x logs it as an init error.
handler.catch((error: unknown) => logError(generation === 3 ? 'Uncaught Exception' : 'Init Error', error))
// Registered before any request awaits the load, so Init Duration is known when the first one goes on.
const ended = () => {
  initMs = performance.now() - initStarted
  clearTimeout(budgetTimer)
}
const loadEnded = handler.then(ended, ended)
await Promise.race([loadEnded, budget])

serveSandbox<HostRequest, HostReply>(async (request) => {
  setLogFile(request.logFile)
  let answer: Answer
  let reportInit: number | undefined
  try {
    // Resolved already, unless the load outran the Init budget (then it counts in this request's time).
    const loaded = await handler
    if (!initReported) {
      initReported = true
      reportInit = initMs
    }
    setRequestId(request.requestId)
    process.env._X_AMZN_TRACE_ID = request.traceId
    const event = JSON.parse(request.event) as unknown
    answer = generation === 3 ? await invokeV3(loaded, event, request) : await invokeV4(loaded, event, request)
  } catch (error) {
    answer = errorAnswer(error)
  } finally {
    current = undefined
  }
  const heapMb = Math.ceil(process.memoryUsage().heapUsed / (1024 * 1024))
  setLogFile(undefined)
  return { ...answer, output: takeOutput(), initMs: reportInit, heapMb }
})
