import { createHash, randomUUID } from 'node:crypto'
import { type EmulatorTiming, timingPreset } from '../../../src/emulator-timing.ts'
import { systemClock, type TriggerClock } from '../../../src/triggers/clock.ts'
import type { FunctionRuntime } from './runtime.ts'

export interface AwsEmulatorOptions {
  /** The one region served (default `us-east-1`). */
  region?: string
  /** Account id in ARNs (default `123456789012`). */
  accountId?: string
  /**
   * Presets for the delays below (default `'fast'`): `'realistic'` gives the
   * durations AWS documents, named on each option. An option given explicitly wins.
   */
  timing?: EmulatorTiming
  /** Pending → Active after CreateFunction (fast 20 ms; realistic 1 s: AWS takes about a second). */
  stateDelayMs?: number
  /** LastUpdateStatus InProgress → Successful after an update (fast 20 ms; realistic 1 s). */
  updateDelayMs?: number
  /** A role created through the emulated IAM is assumable after this long (fast 0; realistic 10 s: AWS takes 5–30 s). */
  roleDelayMs?: number
  /** Concurrent executions per function before TooManyRequestsException (default 100). */
  maxConcurrency?: number
  /** Retry-After sent with a concurrency throttle, in seconds (default 1). */
  throttleRetryAfterSec?: number
  /** Delay before Lambda retries a failed asynchronous invocation (fast 50 ms; realistic 60 s: AWS waits about a minute). */
  asyncRetryDelayMs?: number
  /** The time EventBridge Scheduler's schedules run on (default the system clock; tests pass a manual one). */
  clock?: TriggerClock
  /**
   * The time the state delays above (`stateDelayMs`, `updateDelayMs`, `roleDelayMs`) are measured on
   * (default the system clock). A manual clock (`createManualClock()`) makes a function stay Pending
   * until the clock is advanced past its delay, however slow the machine: the fidelity replay passes
   * one. Apart from `clock` so that a test firing schedules by hand still gets functions that become Active.
   */
  stateClock?: Pick<TriggerClock, 'now'>
  /**
   * How long a received SQS message stays invisible before it is delivered
   * again, i.e. the pause before a failed message is retried (fast 200 ms;
   * realistic 30 s, SQS's default VisibilityTimeout; AWS: the queue's
   * VisibilityTimeout, seconds to hours). Named as on every emulator and the local fake.
   */
  queueRetryDelayMs?: number
  /**
   * How long after DeleteQueue SQS refuses to create a queue of the same
   * name with QueueDeletedRecently (fast 100 ms; realistic 60 s, as AWS documents for DeleteQueue).
   */
  queueDeletedWindowMs?: number
}

export type ResolvedOptions = Required<AwsEmulatorOptions>

/**
 * The delays of each timing preset. Realistic values, from AWS's documentation:
 * function states ("Lambda function states": Pending for about a second for a
 * zip function), IAM's eventual consistency (a new role is refused for 5–30 s),
 * asynchronous invocation (the second attempt "after at least one minute"),
 * SQS's default VisibilityTimeout (30 s) and DeleteQueue ("wait 60 seconds"
 * before reusing the name).
 */
const TIMINGS: Record<
  EmulatorTiming,
  Omit<ResolvedOptions, 'region' | 'accountId' | 'timing' | 'maxConcurrency' | 'throttleRetryAfterSec' | 'clock' | 'stateClock'>
> = {
  fast: {
    stateDelayMs: 20,
    updateDelayMs: 20,
    roleDelayMs: 0,
    asyncRetryDelayMs: 50,
    queueRetryDelayMs: 200,
    queueDeletedWindowMs: 100,
  },
  realistic: {
    stateDelayMs: 1000,
    updateDelayMs: 1000,
    roleDelayMs: 10_000,
    asyncRetryDelayMs: 60_000,
    queueRetryDelayMs: 30_000,
    queueDeletedWindowMs: 60_000,
  },
}

export function resolveOptions(options: AwsEmulatorOptions = {}): ResolvedOptions {
  const timing = options.timing ?? 'fast'
  const preset = timingPreset(timing, TIMINGS)
  return {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    timing,
    stateDelayMs: options.stateDelayMs ?? preset.stateDelayMs,
    updateDelayMs: options.updateDelayMs ?? preset.updateDelayMs,
    roleDelayMs: options.roleDelayMs ?? preset.roleDelayMs,
    maxConcurrency: options.maxConcurrency ?? 100,
    throttleRetryAfterSec: options.throttleRetryAfterSec ?? 1,
    asyncRetryDelayMs: options.asyncRetryDelayMs ?? preset.asyncRetryDelayMs,
    clock: options.clock ?? systemClock(),
    stateClock: options.stateClock ?? systemClock(),
    queueRetryDelayMs: options.queueRetryDelayMs ?? preset.queueRetryDelayMs,
    queueDeletedWindowMs: options.queueDeletedWindowMs ?? preset.queueDeletedWindowMs,
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
  /** PutFunctionEventInvokeConfig: retries and the on-failure destination of asynchronous invocations (async-config.ts). */
  eventInvokeConfig?: EventInvokeConfig | undefined
}

/** What Lambda keeps of a function's asynchronous invocation configuration. */
export interface EventInvokeConfig {
  maximumRetryAttempts: number | undefined
  maximumEventAgeInSeconds: number | undefined
  /** ARN of the SQS queue that receives the invocation record of an event whose retries ran out. */
  onFailure: string | undefined
  lastModified: number
}

export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64')
}

/** Lambda's `LastModified` format: `2024-01-02T03:04:05.000+0000`. */
export function lambdaTime(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000')
}

/**
 * Applies the state transitions whose time has come; old versions stop once their calls finish.
 * `now`: the emulator's state clock (`options.stateClock.now()`), never the wall clock directly.
 */
export function settle(fn: EmulatedFunction, now: number): void {
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
    // What AWS says during a code or configuration update, odd as it reads (recorded 36 times in LocalStack's
    // test_lambda_api.snapshot.json; replayed by fidelity/aws/localstack/function_lifecycle.json).
    ...(fn.lastUpdateStatus === 'InProgress'
      ? { LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' }
      : {}),
    PackageType: 'Zip',
    Architectures: [...config.architectures],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
  }
}
