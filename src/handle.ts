import {
  type BilledExecution,
  billExecution,
  CostLedger,
  fetchBillingRule,
  NO_CHARGE_RULE,
  type SnapshotOptions,
} from './cost/index.ts'
import type { BillingRule, CostEstimate, CostSnapshot, UnpricedPath } from './cost/types.ts'
import { readEnvelope } from './envelope-result.ts'
import { CancelledError } from './errors/cancelled.ts'
import { NotFoundError } from './errors/not-found.ts'
import { PayloadTooLargeError } from './errors/payload-too-large.ts'
import { ProviderError } from './errors/provider-error.ts'
import { ThrottledError } from './errors/throttled.ts'
import { TimeoutError } from './errors/timeout.ts'
import { UnsupportedError } from './errors/unsupported.ts'
import type { Jsonify } from './jsonify.ts'
import { type MapOptions, type MapResult, mapUnordered } from './map.ts'
import { normalizeError } from './normalize-error.ts'
import { bytesOverLimit, encodeJson } from './payload.ts'
import type { FunctionRecord, LogEntry, Provider, Warning } from './provider.ts'
import { type RetryPolicy, throwIfAborted, withRetry } from './retry.ts'
import type { InvocationMeta } from './runtime/envelope.ts'
import { createTriggerMethods, type TriggerMethods } from './trigger-calls.ts'
import type { HttpTrigger, QueueTrigger, ScheduleTrigger, TopicTrigger, Trigger } from './triggers/types.ts'
import { describeValue, expectInteger, expectKnownKeys, expectPlainObject, expectSignal, fail, integerOr } from './validation.ts'

export interface InvokeOptions {
  signal?: AbortSignal
}

export interface InvokeDetailedOptions extends InvokeOptions {
  /** Also return this execution's log lines, where the provider can. */
  logs?: boolean
}

/** What `invokeDetailed` says of an execution: the shim's meta, plus what it was billed. */
export interface InvokeMeta extends InvocationMeta {
  /**
   * The billed duration in ms: the cloud's own figure where
   * `capabilities.billedDuration` is `reported`, else estimated from
   * `durationMs` by the cloud's rounding rule.
   */
  billedMs: number
  /** What this execution cost in USD (free tier not subtracted), and what that assumes. */
  cost: CostEstimate
}

export interface InvokeDetailedResult<O> {
  value: O
  meta: InvokeMeta
  logs: LogEntry[] | undefined
}

export interface LogsOptions {
  since?: Date | string
  limit?: number
  signal?: AbortSignal
}

/** A deployed function: plain data plus methods. Serializing it never shows secrets. */
export interface FunctionHandle<I = unknown, O = unknown> extends Readonly<FunctionRecord>, TriggerMethods<I> {
  /** What `deploy` did; absent on handles from `get`. */
  readonly status: 'created' | 'updated' | 'unchanged' | undefined
  /** Settings the provider could not honour. */
  readonly warnings: readonly Warning[]
  /** Runs the function and returns its result (after the JSON round trip). */
  invoke(input: I, options?: InvokeOptions): Promise<Jsonify<O>>
  /** Like `invoke`, with execution metadata (cold start, duration, id) and optionally the logs. */
  invokeDetailed(input: I, options?: InvokeDetailedOptions): Promise<InvokeDetailedResult<Jsonify<O>>>
  /** Queues one execution and returns at once (where `capabilities.asyncInvoke`). */
  invokeAsync(input: I, options?: InvokeOptions): Promise<{ executionId: string }>
  /** Invokes once per input; results in input order, one result or typed error each. */
  map(inputs: Iterable<I> | AsyncIterable<I>, options?: MapOptions): Promise<Array<MapResult<Jsonify<O>>>>
  /** As `map`, yielding results as they complete (memory stays flat). */
  mapStream(inputs: Iterable<I> | AsyncIterable<I>, options?: MapOptions): AsyncIterable<MapResult<Jsonify<O>>>
  logs(options?: LogsOptions): Promise<LogEntry[]>
  /** Deletes the function; removing a missing function is not an error. */
  remove(options?: { signal?: AbortSignal }): Promise<{ removed: boolean }>
  /**
   * What the executions this handle ran since it was created cost (invoke,
   * invokeDetailed, map, failed executions too; fetch, estimated from the
   * round trip). Executions whose duration the client never sees
   * (invokeAsync, send, publish) are counted in `unpriced`, not priced.
   * `freeTier: true` subtracts the monthly free tiers, as if this were all of
   * the month's use.
   */
  costSnapshot(options?: SnapshotOptions): CostSnapshot
  toJSON(): FunctionRecord & { status?: string | undefined; warnings: readonly Warning[] }
}

/** The methods that run a function directly, which an HTTP function does not offer (call it with `fetch()`). */
type DirectCalls = 'invoke' | 'invokeDetailed' | 'invokeAsync' | 'map' | 'mapStream'

/** Handle of an HTTP function: it is called through its `url`, so it has `fetch()` and no `invoke()`. */
export type HttpFunctionHandle = Omit<FunctionHandle<Request, Response>, DirectCalls | 'send' | 'publish'> & {
  readonly url: string
}
/** Handle of a queue-triggered function: `send()` a message, or `invoke()` it directly. */
export type QueueFunctionHandle<I = unknown, O = unknown> = Omit<FunctionHandle<I, O>, 'fetch' | 'publish'>
/** Handle of a topic-triggered function: `publish()` to its topic (every subscriber runs), or `invoke()` it directly. */
export type TopicFunctionHandle<I = unknown, O = unknown> = Omit<FunctionHandle<I, O>, 'fetch' | 'send'>
/** Handle of a function without a trigger or with a schedule: `invoke()` and `map()`. */
export type InvocableFunctionHandle<I = unknown, O = unknown> = Omit<FunctionHandle<I, O>, 'fetch' | 'send' | 'publish'>

/**
 * The handle `deploy` gives for a definition with trigger type `T`: only the
 * methods that trigger supports are typed. A definition whose trigger type is
 * not known (`Trigger | undefined`) gets every method, checked at run time.
 */
export type HandleFor<I, O, T extends Trigger | undefined> = [T] extends [HttpTrigger]
  ? HttpFunctionHandle
  : [T] extends [QueueTrigger]
    ? QueueFunctionHandle<I, O>
    : [T] extends [TopicTrigger]
      ? TopicFunctionHandle<I, O>
      : [T] extends [ScheduleTrigger | undefined]
        ? InvocableFunctionHandle<I, O>
        : FunctionHandle<I, O>

export interface HandleContext {
  provider: Provider
  retry: Partial<RetryPolicy> | undefined
  /** Where the cloud keeps the running total of every handle it made. */
  ledger?: CostLedger | undefined
}

/** Control-plane calls: retry whatever the error says is retryable. */
export function controlPlane<T>(
  context: HandleContext,
  operation: string,
  call: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const { provider } = context
  return withRetry(
    async () => {
      try {
        return await call()
      } catch (error) {
        throw normalizeError(error, provider.name, operation)
      }
    },
    { policy: context.retry, signal, shouldRetry: (error) => (error as { isRetryable?: boolean }).isRetryable === true },
  )
}

/**
 * Invocations are retried only when the function provably did not run
 * (throttled, or refused before sending), so nothing runs twice behind the
 * caller's back.
 */
function safeToRetryInvoke(error: unknown): boolean {
  return ThrottledError.isInstance(error) || (ProviderError.isInstance(error) && error.notExecuted)
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(
        new CancelledError({
          message: 'The invocation was cancelled by its AbortSignal; the function may still be running',
          cause: signal.reason,
        }),
      )
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function checkOptions(options: unknown, allowed: readonly string[], field: string): Record<string, unknown> {
  if (options === undefined) return {}
  const checked = expectPlainObject(options, field)
  expectKnownKeys(checked, allowed, field)
  expectSignal(checked.signal, `${field}.signal`)
  return checked
}

export function createHandle<I, O>(
  context: HandleContext,
  record: FunctionRecord,
  deployed?: { status: 'created' | 'updated' | 'unchanged'; warnings: Warning[] },
): FunctionHandle<I, O> {
  const { provider } = context
  const caps = provider.capabilities
  const name = record.name

  const encode = (input: unknown, limitBytes: number) => {
    const json = encodeJson(input, 'input')
    const bytes = bytesOverLimit(json, limitBytes)
    if (bytes !== undefined) {
      throw new PayloadTooLargeError({
        provider: provider.name,
        direction: 'request',
        bytes,
        limitBytes,
        message: `input is ${bytes} bytes encoded; ${provider.name} accepts at most ${limitBytes}. Send a reference (a URL or object key) instead of the data.`,
      })
    }
    return json
  }

  // An HTTP function's handler takes a Request, which has no JSON form to invoke it with.
  const refuseHttp = () => {
    if (record.trigger?.kind !== 'http') return
    throw new UnsupportedError({
      provider: provider.name,
      capability: 'invoke',
      message: `'${name}' is an HTTP function; call it with fetch() (or at its url) instead of invoke`,
    })
  }

  // What this handle ran, for costSnapshot(); the rule is the provider's for this function, built once.
  const ledger = new CostLedger()
  let rule: BillingRule | undefined
  const ruleOf = () => {
    rule ??= provider.billingRule?.(record) ?? NO_CHARGE_RULE
    return rule
  }
  const bill = (meta: InvocationMeta, billedMs: number | undefined, billing = ruleOf()): BilledExecution => {
    const billed = billExecution(billing, { durationMs: meta.durationMs, billedMs })
    ledger.add(billed, billing.freeTier)
    context.ledger?.add(billed, billing.freeTier)
    return billed
  }
  const unpriced = (path: UnpricedPath) => {
    ledger.countUnpriced(path)
    context.ledger?.countUnpriced(path)
  }
  const triggers = createTriggerMethods<I>(context, record)

  /** One execution; `onBilled` hears its cost, also when it failed with a FunctionError. */
  const run = async (
    input: I,
    signal: AbortSignal | undefined,
    includeLogs: boolean,
    onBilled?: (billed: BilledExecution) => void,
  ): Promise<InvokeDetailedResult<Jsonify<O>>> => {
    refuseHttp()
    throwIfAborted(signal)
    const payload = encode(input, caps.maxRequestBytes)
    const response = await raceAbort(
      withRetry(
        async () => {
          try {
            return await provider.doInvoke({ name, payload, includeLogs }, { signal })
          } catch (error) {
            const normalized = normalizeError(error, provider.name, 'invoke')
            // A timed-out execution ran, and is billed, for its whole timeout on every cloud; no meta says so.
            if (TimeoutError.isInstance(normalized)) {
              const billed = bill({ coldStart: false, durationMs: record.timeoutSec * 1000, executionId: '' }, undefined)
              onBilled?.(billed)
            }
            throw normalized
          }
        },
        { policy: context.retry, signal, shouldRetry: safeToRetryInvoke },
      ),
      signal,
    )
    const result = readEnvelope(
      response.envelope,
      { provider: provider.name, functionName: name, maxResponseBytes: caps.maxResponseBytes },
      (failedMeta) => {
        // Billed whether or not anyone listens (`onBilled?.(bill(...))` would skip the bill itself).
        const billed = bill(failedMeta, response.billedMs)
        onBilled?.(billed)
      },
    )
    const billed = bill(result.meta, response.billedMs)
    onBilled?.(billed)
    return {
      value: result.value as Jsonify<O>,
      meta: { ...result.meta, billedMs: billed.billedMs, cost: billed.cost },
      logs: response.logs,
    }
  }

  const invokeDetailed = async (input: I, options?: InvokeDetailedOptions) => {
    const checked = checkOptions(options, ['signal', 'logs'], 'options')
    if (checked.logs !== undefined && typeof checked.logs !== 'boolean') {
      fail('options.logs', `must be true or false (got ${describeValue(checked.logs)})`)
    }
    return run(input, checked.signal as AbortSignal | undefined, checked.logs === true)
  }

  const mapStream = (inputs: Iterable<I> | AsyncIterable<I>, options?: MapOptions) => {
    const checked = checkOptions(options, ['concurrency', 'signal', 'onProgress'], 'options')
    if (inputs === null || typeof inputs !== 'object' || !(Symbol.iterator in inputs || Symbol.asyncIterator in inputs)) {
      fail('inputs', 'must be an array or another (async) iterable')
    }
    const concurrency = integerOr(checked.concurrency, 10, 'options.concurrency', 1, 1000)
    if (checked.onProgress !== undefined && typeof checked.onProgress !== 'function')
      fail('options.onProgress', 'must be a function')
    return mapUnordered(
      inputs,
      async (input, signal, charge) => (await run(input, signal, false, (billed) => charge(billed.cost.usd))).value,
      {
        concurrency,
        signal: checked.signal as AbortSignal | undefined,
        onProgress: checked.onProgress as MapOptions['onProgress'],
        toError: (error) => normalizeError(error, provider.name, 'invoke'),
      },
    )
  }

  const handle: FunctionHandle<I, O> = {
    ...record,
    status: deployed?.status,
    warnings: deployed?.warnings ?? [],
    invoke: async (input, options) => (await invokeDetailed(input, checkOptions(options, ['signal'], 'options'))).value,
    invokeDetailed,
    invokeAsync: async (input, options) => {
      const checked = checkOptions(options, ['signal'], 'options')
      refuseHttp()
      if (!caps.asyncInvoke || !provider.doInvokeAsync) {
        throw new UnsupportedError({
          provider: provider.name,
          capability: 'asyncInvoke',
          message: `${provider.name} does not support invokeAsync; use invoke`,
        })
      }
      const payload = encode(input, caps.maxAsyncRequestBytes)
      const doInvokeAsync = provider.doInvokeAsync.bind(provider)
      const signal = checked.signal as AbortSignal | undefined
      const queued = await withRetry(
        async () => {
          try {
            return await doInvokeAsync({ name, payload }, { signal })
          } catch (error) {
            throw normalizeError(error, provider.name, 'invokeAsync')
          }
        },
        { policy: context.retry, signal, shouldRetry: safeToRetryInvoke },
      )
      // It runs later, out of sight: only the cloud's logs or bill say its duration.
      unpriced('invokeAsync')
      return queued
    },
    map: async (inputs, options) => {
      const results: Array<MapResult<Jsonify<O>>> = []
      for await (const result of mapStream(inputs, options)) results[result.index] = result
      if (Array.isArray(inputs)) {
        // Inputs never taken because of an abort still get their one result; they cost nothing.
        const totalUsd = results.reduce((total, result) => Math.max(total, result?.totalUsd ?? 0), 0)
        for (let index = 0; index < inputs.length; index++) {
          results[index] ??= {
            index,
            ok: false,
            error: new CancelledError({ message: 'map() was cancelled before this input started' }),
            costUsd: 0,
            totalUsd,
          }
        }
      }
      return results
    },
    mapStream,
    // Every HTTP request is a billed execution on every cloud, and none says its billed time in the answer:
    // priced from the round trip the client times (cost/bill.ts, FETCH_MEASURED).
    fetch: async (input, init) => {
      const abortedBefore = (input instanceof Request && input.signal.aborted) || init?.signal?.aborted === true
      const started = performance.now()
      let response: Response
      try {
        response = await triggers.fetch(input, init)
      } catch (error) {
        if (mayHaveRun(error, abortedBefore)) unpriced('fetch')
        throw error
      }
      const durationMs = performance.now() - started
      bill({ coldStart: false, durationMs, executionId: '' }, undefined, fetchBillingRule(ruleOf()))
      return response
    },
    send: async (message, options) => {
      const sent = await triggers.send(message, options)
      unpriced('send')
      return sent
    },
    publish: async (message, options) => {
      const published = await triggers.publish(message, options)
      unpriced('publish')
      return published
    },
    logs: async (options) => {
      const checked = checkOptions(options, ['since', 'limit', 'signal'], 'options')
      if (!caps.logs || !provider.doLogs) {
        throw new UnsupportedError({
          provider: provider.name,
          capability: 'logs',
          message: `${provider.name} does not provide logs through cloudfn`,
        })
      }
      const since = checked.since === undefined ? undefined : toIsoTime(checked.since, 'options.since')
      const limit = checked.limit === undefined ? undefined : expectInteger(checked.limit, 'options.limit', 1, 10_000)
      const doLogs = provider.doLogs.bind(provider)
      return controlPlane(context, 'logs', () =>
        doLogs({ name, since, limit }, { signal: checked.signal as AbortSignal | undefined }),
      )
    },
    remove: (options) =>
      removeFunction(context, name, checkOptions(options, ['signal'], 'options').signal as AbortSignal | undefined),
    costSnapshot: (options) => ledger.snapshot(checkSnapshotOptions(options)),
    toJSON: () => ({ ...record, status: deployed?.status, warnings: deployed?.warnings ?? [] }),
  }
  Object.defineProperty(handle, Symbol.for('nodejs.util.inspect.custom'), { value: () => handle.toJSON(), enumerable: false })
  return handle
}

/**
 * Removes a function. `removed` says whether it existed when the call began,
 * read first: a retried remove whose earlier attempt already deleted it
 * would otherwise answer `false`.
 */
export async function removeFunction(
  context: HandleContext,
  name: string,
  signal: AbortSignal | undefined,
): Promise<{ removed: boolean }> {
  const existed = (await controlPlane(context, 'get', () => context.provider.doGet(name, { signal }), signal)) !== undefined
  try {
    const result = await controlPlane(context, 'remove', () => context.provider.doRemove(name, { signal }), signal)
    return { removed: existed || result.removed }
  } catch (error) {
    if (NotFoundError.isInstance(error)) return { removed: existed }
    throw error
  }
}

function toIsoTime(value: unknown, field: string): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (!date || Number.isNaN(date.getTime())) fail(field, 'must be a Date or an ISO time string')
  return date.toISOString()
}

/**
 * Whether a failed `fetch()` may have run the function: it got as far as the
 * cloud (a platform failure, a timeout, an abort in flight). Refusals before
 * sending (bad input, no HTTP trigger, no credentials) ran nothing.
 */
function mayHaveRun(error: unknown, abortedBefore: boolean): boolean {
  if (ProviderError.isInstance(error)) return !error.notExecuted
  if (CancelledError.isInstance(error)) return !abortedBefore
  return TimeoutError.isInstance(error)
}

export function checkSnapshotOptions(options: unknown): SnapshotOptions {
  if (options === undefined) return {}
  const checked = expectPlainObject(options, 'options')
  expectKnownKeys(checked, ['freeTier'], 'options')
  if (checked.freeTier !== undefined && typeof checked.freeTier !== 'boolean')
    fail('options.freeTier', `must be true or false (got ${describeValue(checked.freeTier)})`)
  return checked as SnapshotOptions
}
