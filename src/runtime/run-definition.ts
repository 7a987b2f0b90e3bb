import { decodeRequestBody } from '../content-coding.ts'
import type { HttpAuth } from '../triggers/types.ts'
import { formatLogArgs } from './console-capture.ts'
import type { FunctionContext, LogLevel } from './context.ts'
import { failureEnvelope, type InvocationMeta, type RemoteError, successEnvelope, toRemoteError } from './envelope.ts'
import { errorResponseWire, responseToWire, type WireRequest, wireToRequest } from './http-wire.ts'
import { bundleStack } from './source-map-stack.ts'

/**
 * What a shim knows of the trigger inside the artifact: the packager writes
 * only this part, so queue settings (which live in the cloud's resources)
 * never change the code.
 */
export type RuntimeTrigger =
  | { kind: 'http'; auth: HttpAuth; methods: readonly string[] }
  | { kind: 'schedule'; cron: string; timezone: string }
  | { kind: 'queue' }
  | { kind: 'topic' }
  | { kind: 'storage' }

/** The part of a function definition that the runtime needs. */
export interface RunnableDefinition {
  name: string
  handler: (input: never, ctx: FunctionContext) => unknown
  /** HTTP functions take a `Request` (sent as a `WireRequest`) and answer a `Response`. */
  trigger?: RuntimeTrigger | undefined
}

export interface RunOptions {
  executionId: string
  /**
   * The name the function was deployed under (`cloud.deploy(def, { name })`), which each shim learns from its
   * platform; without it, the definition's own name. `ctx.functionName` is this on every backend.
   */
  functionName?: string | undefined
  coldStart: boolean
  /** Epoch milliseconds at which the platform stops the function. */
  deadline: number
  /** Where `ctx.log` writes. */
  log: (level: LogLevel, message: string) => void
  /**
   * Unbundled runs (the local fake's inline mode): how a handler error's stack is named, given the URL of
   * this module (the frames from which on are cloudfn's). A bundle maps stacks with its own source map.
   */
  mapStack?: ((stack: string, runtimeFile: string) => string) | undefined
}

/**
 * Decodes the request, calls the handler and encodes its outcome as envelope
 * text. Every shim and the local fake call this, so the semantics (JSON
 * round trip, error shape, meta) are the same on every backend.
 */
export async function runDefinition(definition: RunnableDefinition, payloadJson: string, options: RunOptions): Promise<string> {
  return runDefinitionNow(definition, payloadJson, options)
}

/**
 * As `runDefinition`, but the envelope comes back synchronously when the
 * handler returns a plain value: the local fake's inline mode then spends no
 * promise, timer or async context on a synchronous handler. The outcome is the
 * same text either way.
 */
export function runDefinitionNow(
  definition: RunnableDefinition,
  payloadJson: string,
  options: RunOptions,
): string | Promise<string> {
  const started = performance.now()
  const meta = (): InvocationMeta => ({
    coldStart: options.coldStart,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    executionId: options.executionId,
  })
  const ctx: FunctionContext = {
    executionId: options.executionId,
    functionName: options.functionName || definition.name,
    coldStart: options.coldStart,
    remainingMs: () => Math.max(0, options.deadline - Date.now()),
    log: (...args) => options.log('log', formatLogArgs(args)),
  }
  if (definition.trigger?.kind === 'http') return runHttp(definition, payloadJson, ctx, meta, options)
  let value: unknown
  let thenable: boolean
  try {
    const input = JSON.parse(payloadJson) as never
    value = definition.handler(input, ctx)
    // What `await` would wait for: a promise or any thenable. Asking can throw (a revoked Proxy, a throwing
    // `then` getter), which `await` would have turned into a rejection: the handler's failure.
    thenable = isThenable(value)
  } catch (thrown) {
    return failureEnvelope(handlerError(thrown, options), meta())
  }
  if (thenable) return settled(value as PromiseLike<unknown>, meta, options)
  return encodeOutcome(value, meta)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value instanceof Promise) return true
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

async function settled(pending: PromiseLike<unknown>, meta: () => InvocationMeta, options: RunOptions): Promise<string> {
  let value: unknown
  try {
    value = await pending
  } catch (thrown) {
    return failureEnvelope(handlerError(thrown, options), meta())
  }
  return encodeOutcome(value, meta)
}

function encodeOutcome(value: unknown, meta: () => InvocationMeta): string {
  let valueJson: string
  try {
    valueJson = JSON.stringify(value) ?? 'null'
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown)
    return failureEnvelope(
      { name: 'TypeError', message: `The handler's return value is not JSON-serializable: ${reason}` },
      meta(),
    )
  }
  return successEnvelope(valueJson, meta())
}

/** The thrown value as the envelope carries it, its stack naming the user's sources (see source-map-stack.ts). */
function handlerError(thrown: unknown, options: RunOptions): RemoteError {
  const error = toRemoteError(thrown)
  if (error.stack === undefined) return error
  return { ...error, stack: bundleStack(error.stack) ?? options.mapStack?.(error.stack, import.meta.url) ?? error.stack }
}

/** The request with its body's content coding undone, as every backend hands it to the handler. */
function decodedWire(wire: WireRequest): WireRequest {
  if (wire.body === undefined) return wire
  const { headers, bytes } = decodeRequestBody(wire.headers, Buffer.from(wire.body, 'base64'))
  return { ...wire, headers, body: Buffer.from(bytes).toString('base64') }
}

/**
 * The HTTP contract: the method check happens here so that every backend
 * answers 405 alike (not every cloud can restrict methods); the handler's
 * Response travels back as the envelope's value.
 */
async function runHttp(
  definition: RunnableDefinition,
  payloadJson: string,
  ctx: FunctionContext,
  meta: () => InvocationMeta,
  options: RunOptions,
): Promise<string> {
  try {
    const wire = JSON.parse(payloadJson) as WireRequest
    const methods = definition.trigger?.kind === 'http' ? definition.trigger.methods : undefined
    if (methods && !methods.includes(wire.method)) {
      const refused = errorResponseWire(405, 'Method Not Allowed')
      refused.headers.push(['allow', methods.join(', ')])
      return successEnvelope(JSON.stringify(refused), meta())
    }
    const response = await definition.handler(wireToRequest(decodedWire(wire)) as never, ctx)
    if (!(response instanceof Response)) {
      throw new TypeError(`An HTTP function must return a Response (got ${response === null ? 'null' : typeof response})`)
    }
    const answer = await responseToWire(response)
    // Some platforms (Lambda function URLs) label an unlabelled body themselves; label it alike everywhere.
    if (answer.body !== '' && !answer.headers.some(([name]) => name === 'content-type')) {
      answer.headers.push(['content-type', 'application/octet-stream'])
    }
    return successEnvelope(JSON.stringify(answer), meta())
  } catch (thrown) {
    return failureEnvelope(handlerError(thrown, options), meta())
  }
}
