/**
 * `cloudfn/provider-utils`: what a provider needs from the core beyond the
 * `ProviderV1` types and the error classes (both in `cloudfn`), so that a
 * provider outside this repository can be written with the tools the
 * built-in ones use.
 */

/** Cancellation: every `do*` method honours `options.signal` with these (see retry.ts). */
export { honourSignal } from './cancellation.ts'
/** Cost: one execution billed by a provider's rule (with the cloud's billed duration where it reports one). */
export { type BilledExecution, billExecution } from './cost/bill.ts'
/** A user's price overrides over the provider's table, checked against its shape (an unknown key names itself). */
export { type PriceOverrides, withPriceOverrides } from './cost/override.ts'
/** What a provider's price table (`providers/<name>/pricing.ts`) and billing rule are made of. */
export type { BillingRule, ComputeMeter, PriceSource, PriceTableBase } from './cost/types.ts'
/** The record of a function deployed from its request (for providers whose cloud does not answer one). */
export { deployedRecord } from './deployed-record.ts'
/** The common part of every provider's gc (age, use, order); a removal that left its resource as it is resolves to KEPT. */
export {
  collect,
  collectFunctions,
  functionCandidate,
  type GcCandidate,
  isOlderThan,
  KEPT,
  selectCollectable,
} from './gc.ts'
/** One mapping of HTTP statuses to cloudfn errors. */
export { errorFromHttpStatus, type HttpFailure } from './http-status-error.ts'
/** Which network failures prove a call never ran, and `Retry-After`. */
export { failedBeforeSending, networkErrorCode, parseRetryAfter } from './network.ts'
/** Deploy plans: the changes every provider describes the same way (see ProviderV1.doPlan). */
export {
  configChange,
  createFunctionChange,
  describeSchedule,
  type PlannedConfig,
  type StorageFacts,
  type TopicFacts,
  triggerChanges,
} from './plan.ts'
/** Waiting for something that becomes ready: re-polls that start fast and slow down to the provider's interval. */
export { FIRST_POLL_MS, fastPolls, POLL_GROWTH, pollPace } from './poll-pace.ts'
/**
 * One request sent again over brief failures (`REQUEST_RETRY_POLICY`), and which
 * HTTP statuses are worth sending again; the operation-level retry stays the client's.
 */
export { abortableSleep, cancellable, isTransientStatus, retryRequest, throwIfAborted } from './retry.ts'
/**
 * Console capture for a shim that runs one execution at a time per thread:
 * `routeConsole(() => sink)` sends `console.*` to the current execution's sink.
 */
export { formatLogArgs, type LogSink, routeConsole } from './runtime/console-capture.ts'
/**
 * The envelope a shim answers with: `failureEnvelope` for a failure the shim
 * itself reports (a crash, a timeout), `toRemoteError` to describe a thrown value in it.
 */
export { failureEnvelope, toRemoteError } from './runtime/envelope.ts'
/**
 * For providers that run handlers in the host's process: each execution gets
 * its own `process.env` and its own console, even while executions overlap.
 */
export { type ExecutionScope, runInExecutionScope } from './runtime/execution-scope.ts'
/** An HTTP function's answer from its envelope: the handler's response, or a bare 500 when it threw. */
export { httpResultOf } from './runtime/http-envelope.ts'
/**
 * HTTP requests and responses as JSON (bodies in base64), the form in which
 * they travel through envelopes, runners and shims on every backend.
 */
export {
  errorResponseWire,
  requestToWire,
  responseToWire,
  toBase64,
  type WireRequest,
  type WireResponse,
  wireToRequest,
  wireToResponse,
} from './runtime/http-wire.ts'
/** The shim runtime: every provider's shim hands the cloud's request to it and returns its envelope. */
export { type RunnableDefinition, type RunOptions, type RuntimeTrigger, runDefinition } from './runtime/run-definition.ts'
/** Scale: the instance range every cloud accepts (a provider's `capabilities.scale` narrows it), and a deploy's settings. */
export { type InstanceRange, PORTABLE_SCALE, type ScaleCapabilities, type ScaleSettings } from './scale.ts'
/** The wall clock schedule triggers run on unless a test passes `createManualClock()` (`cloudfn/testing`). */
export { systemClock } from './triggers/clock.ts'
/** Queue ownership: what a queue trigger may create, adopt or delete; providers give only the cloud I/O. */
export {
  claimQueues,
  decideQueue,
  ownerFromMarker,
  type QueueClaim,
  type QueueDecision,
  type QueueMarkerKeys,
  type QueueOwner,
  type QueueOwnershipIo,
  queueClaims,
  queueMarker,
  releaseQueues,
} from './triggers/ownership.ts'
/** Whether an object key passes a storage trigger's prefix and suffix filters (for providers that filter in code). */
export { matchesStorageFilter } from './triggers/storage.ts'
/** The retries a topic subscriber gets: its own `maxRetries`, else the cloud's default. */
export { topicRetries } from './triggers/topic.ts'
/** Argument checks that throw `InvalidArgumentError` naming the field. */
export {
  describeValue,
  expectFunction,
  expectInteger,
  expectKnownKeys,
  expectPlainObject,
  expectSignal,
  expectString,
  fail,
  integerOr,
} from './validation.ts'
