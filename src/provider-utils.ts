/**
 * `cloudfn/provider-utils`: what a provider needs from the core beyond the
 * `ProviderV1` types and the error classes (both in `cloudfn`), so that a
 * provider outside this repository can be written with the tools the
 * built-in ones use.
 */

/** Cancellation: every `do*` method honours `options.signal` with these (see retry.ts). */
export { honourSignal } from './cancellation.ts'
/** The common part of every provider's gc (age, use, order). */
export { collect, collectFunctions, functionCandidate, type GcCandidate, isOlderThan, selectCollectable } from './gc.ts'
/** One mapping of HTTP statuses to cloudfn errors. */
export { errorFromHttpStatus, type HttpFailure } from './http-status-error.ts'
/** Which network failures prove a call never ran, and `Retry-After`. */
export { failedBeforeSending, networkErrorCode, parseRetryAfter } from './network.ts'
/** Deploy plans: the changes every provider describes the same way (see ProviderV1.doPlan). */
export { configChange, createFunctionChange, describeSchedule, type PlannedConfig, triggerChanges } from './plan.ts'
export { abortableSleep, cancellable, throwIfAborted } from './retry.ts'
/** The shim runtime: every provider's shim hands the cloud's request to it and returns its envelope. */
export { type RunnableDefinition, type RunOptions, type RuntimeTrigger, runDefinition } from './runtime/run-definition.ts'
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
