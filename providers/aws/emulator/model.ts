import { createHash, randomUUID } from 'node:crypto'
import { systemClock, type TriggerClock } from '../../../src/triggers/clock.ts'
import type { FunctionRuntime } from './runtime.ts'

export interface AwsEmulatorOptions {
  /** The one region served (default `us-east-1`). */
  region?: string
  /** Account id in ARNs (default `123456789012`). */
  accountId?: string
  /** Pending → Active after CreateFunction (default 20 ms; AWS takes about a second). */
  stateDelayMs?: number
  /** LastUpdateStatus InProgress → Successful after an update (default 20 ms). */
  updateDelayMs?: number
  /** A role created through the emulated IAM is assumable after this long (default 0; AWS: 5–30 s). */
  roleDelayMs?: number
  /** Concurrent executions per function before TooManyRequestsException (default 100). */
  maxConcurrency?: number
  /** Retry-After sent with a concurrency throttle, in seconds (default 1). */
  throttleRetryAfterSec?: number
  /** Delay before Lambda retries a failed asynchronous invocation (default 50 ms; AWS: about a minute). */
  asyncRetryDelayMs?: number
  /** The time EventBridge Scheduler's schedules run on (default the system clock; tests pass a manual one). */
  clock?: TriggerClock
  /**
   * How long a received SQS message stays invisible before it is delivered
   * again, i.e. the pause before a failed message is retried (default 200 ms;
   * AWS: the queue's VisibilityTimeout, seconds to hours). Named as on every
   * emulator and the local fake.
   */
  queueRetryDelayMs?: number
  /**
   * How long after DeleteQueue SQS refuses to create a queue of the same
   * name with QueueDeletedRecently (default 60 s, as AWS; tests pass a few ms).
   */
  queueDeletedWindowMs?: number
}

export type ResolvedOptions = Required<AwsEmulatorOptions>

export function resolveOptions(options: AwsEmulatorOptions = {}): ResolvedOptions {
  return {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    stateDelayMs: options.stateDelayMs ?? 20,
    updateDelayMs: options.updateDelayMs ?? 20,
    roleDelayMs: options.roleDelayMs ?? 0,
    maxConcurrency: options.maxConcurrency ?? 100,
    throttleRetryAfterSec: options.throttleRetryAfterSec ?? 1,
    asyncRetryDelayMs: options.asyncRetryDelayMs ?? 50,
    clock: options.clock ?? systemClock(),
    queueRetryDelayMs: options.queueRetryDelayMs ?? 200,
    queueDeletedWindowMs: options.queueDeletedWindowMs ?? 60_000,
  }
}

export interface VersionConfig {
  runtime: string
  handler: string
  role: string
  memorySize: number
  timeout: number
  description: string
  environment: Record<string, string>
  architectures: string[]
}

/** Code and configuration that run together: an update makes a new version, as Lambda starts new environments. */
export interface FunctionVersion {
  config: VersionConfig
  zip: Uint8Array
  /** Base64 SHA-256 of the zip, as Lambda reports it. */
  codeSha256: string
  runtime?: FunctionRuntime | undefined
}

export interface FunctionUrl {
  authType: string
  url: string
  creationTime: string
  lastModifiedTime: string
}

export interface EmulatedFunction {
  name: string
  arn: string
  tags: Record<string, string>
  state: 'Pending' | 'Active'
  /** When a Pending function becomes Active. */
  activeAt: number
  lastUpdateStatus: 'InProgress' | 'Successful' | undefined
  /** When an InProgress update completes. */
  updatedAt: number
  lastModified: string
  revisionId: string
  /** What invokes run. */
  live: FunctionVersion
  /** An update not yet live: GetFunction reports it, invokes still run `live`. */
  next: FunctionVersion | undefined
  url: FunctionUrl | undefined
  policy: Map<string, Record<string, unknown>>
}

export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64')
}

/** Lambda's `LastModified` format: `2024-01-02T03:04:05.000+0000`. */
export function lambdaTime(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000')
}

/** Applies the state transitions whose time has come; old versions stop once their calls finish. */
export function settle(fn: EmulatedFunction, now = Date.now()): void {
  if (fn.state === 'Pending' && now >= fn.activeAt) {
    fn.state = 'Active'
    fn.lastUpdateStatus = 'Successful'
  }
  if (fn.lastUpdateStatus === 'InProgress' && now >= fn.updatedAt && fn.next) {
    const old = fn.live
    fn.live = fn.next
    fn.next = undefined
    fn.lastUpdateStatus = 'Successful'
    void old.runtime?.retire()
  }
}

export function touch(fn: EmulatedFunction): void {
  fn.lastModified = lambdaTime()
  fn.revisionId = randomUUID()
}

/** FunctionConfiguration as Lambda returns it (the pending version's settings while an update runs). */
export function toConfiguration(fn: EmulatedFunction): Record<string, unknown> {
  const version = fn.next ?? fn.live
  const { config } = version
  const creating = fn.state === 'Pending'
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: version.zip.byteLength,
    Description: config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: version.codeSha256,
    Version: '$LATEST',
    Environment: { Variables: { ...config.environment } },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: fn.state,
    ...(creating ? { StateReason: 'The function is being created.', StateReasonCode: 'Creating' } : {}),
    ...(fn.lastUpdateStatus ? { LastUpdateStatus: fn.lastUpdateStatus } : {}),
    ...(fn.lastUpdateStatus === 'InProgress'
      ? { LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress' }
      : {}),
    PackageType: 'Zip',
    Architectures: [...config.architectures],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
  }
}
