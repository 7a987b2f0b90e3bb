export {
  type Cloud,
  type CloudSettings,
  createCloud,
  type DeployOptions,
  type GcCallOptions,
  type PlanOptions,
} from './client.ts'
export { type CloudfnConfig, defineConfig } from './config.ts'
export type { SnapshotOptions } from './cost/index.ts'
export type {
  BillingRule,
  ComputeMeter,
  CostEstimate,
  CostSnapshot,
  PriceSource,
  PriceTableBase,
  UnpricedPath,
  UsageLine,
} from './cost/types.ts'
export {
  defineFunction,
  type EventTrigger,
  type FunctionConfig,
  type FunctionContext,
  type FunctionDefinition,
  type Handler,
  type HttpFunctionConfig,
  type HttpHandler,
  type InputOf,
  isFunctionDefinition,
  type OutputOf,
  type ProviderOptions,
  withOverrides,
} from './define.ts'
export * from './errors/index.ts'
export type {
  FunctionHandle,
  HandleFor,
  HttpFunctionHandle,
  InvocableFunctionHandle,
  InvokeDetailedOptions,
  InvokeDetailedResult,
  InvokeMeta,
  InvokeOptions,
  LogsOptions,
  QueueFunctionHandle,
  TopicFunctionHandle,
} from './handle.ts'
export type { Jsonify } from './jsonify.ts'
export type { MapCost, MapOptions, MapProgress, MapResult } from './map.ts'
export { decodePayload, type EncodedPayload, encodePayload } from './payload.ts'
export { type DeployPlan, formatPlan, type PlanChange, type PlanChangeKind, type PlanResponse } from './plan.ts'
export { PORTABLE_RULES } from './portable-rules.ts'
export type * from './provider.ts'
export { backoffDelay, DEFAULT_RETRY_POLICY, type RetryOptions, type RetryPolicy, withRetry } from './retry.ts'
export type { LogLevel } from './runtime/context.ts'
export type { Envelope, InvocationMeta, RemoteError } from './runtime/envelope.ts'
export { type InstanceRange, PORTABLE_SCALE, type ScaleCapabilities, type ScaleSettings, scaleChanges } from './scale.ts'
export type { TriggerMethods } from './trigger-calls.ts'
export * from './triggers/index.ts'
