/**
 * The Provider specification, version 1. Types only: a provider is any object
 * of this shape, so a third party can write one without touching the core.
 *
 * The core (see client.ts) validates arguments, encodes payloads, packages
 * code, retries, maps envelopes to errors and reports progress once, above
 * every provider. A provider only speaks its cloud: it receives checked,
 * encoded requests and throws cloudfn errors (from `cloudfn`) for failures.
 */
import type { BillingRule } from './cost/types.ts'
import type { FunctionDefinition } from './define.ts'
import type { PlanResponse } from './plan.ts'
import type { LogLevel } from './runtime/context.ts'
import type { ScaleCapabilities, ScaleSettings } from './scale.ts'
import type { HttpAuth, StorageEventType, Trigger } from './triggers/types.ts'

/**
 * How an HTTP trigger carries requests and answers, where clouds differ
 * (conformance/scenarios/http-wire.ts checks each against the target).
 * Absent fields take the defaults named on each.
 */
export interface HttpLimits {
  /**
   * How a body counts against `maxRequestBytes` and `maxResponseBytes`:
   * `bytes` (default) counts the body as sent; `event` counts it inside the
   * JSON event the platform hands the function, where a binary body travels
   * as base64 (4/3 of its bytes) and UTF-8 text as it is. Over the limit a
   * request gets 413 and an answer 502.
   */
  bodyCounting?: 'bytes' | 'event' | undefined
  /**
   * Largest request head (request line and headers) in bytes; a larger one
   * gets 431. Default 16 KiB, Node's HTTP server limit, which a request meets
   * on most platforms; `null` when the platform has no head limit below the
   * body limit.
   */
  maxRequestHeadBytes?: number | null | undefined
  /**
   * `raw` (default): the function gets an `application/json` body's bytes,
   * whatever they are. `strict`: the platform parses such a body before the
   * function runs and answers 400 to one that is not a JSON object or array.
   */
  jsonBodies?: 'raw' | 'strict' | undefined
}

export interface HttpTriggerCapabilities {
  /** The auth modes `http({ auth })` may ask for. */
  auth: readonly HttpAuth[]
  limits?: HttpLimits | undefined
}

/** Which triggers a provider offers and within which limits; an absent kind is not offered. */
export interface TriggerCapabilities {
  http?: HttpTriggerCapabilities | undefined
  schedule?:
    | {
        /** Expressions can be read in a time zone other than UTC. */
        timezones: boolean
      }
    | undefined
  queue?:
    | {
        maxBatchSize: number
        maxRetries: { min: number; max: number }
        /** The dead-letter queue can be given a name (else the cloud's fixed one is used). */
        namedDeadLetter: boolean
        /** Largest encoded message `send` accepts, in bytes. */
        maxMessageBytes: number
      }
    | undefined
  /** Object changes in a bucket (see `storage()`). */
  storage?:
    | {
        events: readonly StorageEventType[]
        /** Prefix and suffix filters are applied by the cloud (false: the trigger cannot have them). */
        filters: boolean
      }
    | undefined
  /** Topics with fan-out to every subscribed function (see `topic()`). */
  topic?:
    | {
        /** Retries of a subscriber's failed copy, and the count used when `topic()` leaves it out. */
        maxRetries: { min: number; max: number; default: number }
        /** A subscriber's dead letter can be given a name (else the cloud's fixed one is used). */
        namedDeadLetter: boolean
        /** Largest encoded message `publish` accepts, in bytes. */
        maxMessageBytes: number
      }
    | undefined
}

export interface ProviderCapabilities {
  /** `invokeAsync` (fire and forget) is available. */
  asyncInvoke: boolean
  /** HTTP, schedule, queue and topic triggers (see `http()`, `schedule()`, `queue()`, `topic()`). */
  triggers: TriggerCapabilities
  /** `logs()` returns the function's log lines. */
  logs: boolean
  /** The envelope's `meta.coldStart` reflects real instance starts. */
  coldStartReport: boolean
  /** A function that exceeds `memoryMb` is stopped with `OutOfMemoryError`. */
  memoryLimit: boolean
  /** A function that exceeds `timeoutSec` is stopped, not only abandoned. */
  timeoutKills: boolean
  /** Largest encoded request body of a synchronous invoke, in bytes. */
  maxRequestBytes: number
  /** Largest encoded response body of a synchronous invoke, in bytes. */
  maxResponseBytes: number
  /** Largest encoded request body of an asynchronous invoke, in bytes. */
  maxAsyncRequestBytes: number
  memoryMb: { min: number; max: number }
  timeoutSec: { min: number; max: number }
  /**
   * Whether an invocation's `meta.billedMs` is the cloud's own figure
   * (`reported`, e.g. Lambda's REPORT line) or computed from the measured
   * duration by the provider's billing rule (`estimated`; also when absent).
   */
  billedDuration?: 'reported' | 'estimated' | undefined
  /**
   * `cloud.plan()` and `cloudfn deploy --dry-run` are available. Set by the
   * core from the presence of `doPlan` (a provider need not set it).
   */
  plan?: boolean | undefined
  /** The ranges of `maxInstances` / `minInstances` it honours; absent ones are warned about and not set. */
  scale?: ScaleCapabilities | undefined
}

/** The zip that runs in the cloud: the user's module, tree-shaken, plus the provider's shim. */
export interface Artifact {
  zip: Uint8Array
  /** Hex SHA-256 of `zip`; equal inputs give equal bytes and so equal hashes. */
  sha256: string
  /** File name of the bundle inside the zip (e.g. `index.mjs`). */
  entryFile: string
}

export interface PackagingSpec {
  /**
   * Absolute path of the shim module. It must export
   * `createEntry(definition)`; the bundle's entry file exports its result as
   * `handler`, which is what the cloud calls.
   */
  shimPath: string
  /** Further files for the zip, by name (e.g. `package.json`, `host.json`). */
  files?: Readonly<Record<string, string>> | undefined
  /** Modules the cloud's runtime provides, left as imports (e.g. `@azure/functions-core`). */
  external?: readonly string[] | undefined
  /**
   * Packages the shim needs that publish a minified production build of
   * their own, by package name: the file of that build inside the package
   * (e.g. `{ '@azure/functions': 'dist/azure-functions.min.js' }`). The
   * artifact bundles that build, so it ships smaller while the user's code
   * stays as readable as before.
   */
  minifiedBuilds?: Readonly<Record<string, string>> | undefined
}

/** What a deployed function looks like, as plain data. */
export interface FunctionRecord {
  name: string
  provider: string
  memoryMb: number
  timeoutSec: number
  /** The ceiling and warm instances deployed, where the provider reports them (undefined: the cloud's default). */
  maxInstances?: number | undefined
  minInstances?: number | undefined
  /** Names of the environment variables (values are never echoed back). */
  envKeys: string[]
  /** SHA-256 of the deployed artifact, or of the in-process definition for providers without one. */
  codeHash: string
  /** Hash of the settings that, when they change, call for a configuration update. */
  configHash: string
  /** HTTPS endpoint of an HTTP function. */
  url?: string | undefined
  /** What starts the function besides direct invocation. */
  trigger?: Trigger | undefined
  /** ISO time of the last change. */
  updatedAt: string
}

export interface Warning {
  /** Setting that was not honoured, e.g. `memoryMb` or `providerOptions.gcp.minInstances`. */
  setting: string
  message: string
}

/**
 * Progress of a deploy. Providers report `create` or `update` just before the
 * first request that changes anything, so the core can tell what a deploy
 * did even when a retried attempt finds the work already done.
 */
export type DeployStep = 'validate' | 'package' | 'create' | 'update' | 'upload' | 'configure' | 'wait' | 'done'

export interface CallOptions {
  signal?: AbortSignal | undefined
}

export interface DeployRequest {
  name: string
  memoryMb: number
  timeoutSec: number
  /** Checked against `capabilities.scale`; a setting the provider does not honour is left undefined. */
  scale: Readonly<ScaleSettings>
  env: Readonly<Record<string, string>>
  /** This provider's own `providerOptions[name]` (already the inner object). */
  providerOptions: Readonly<Record<string, unknown>>
  configHash: string
  /** Present when the provider declares `packaging`. */
  artifact?: Artifact | undefined
  /** Checked against `capabilities.triggers` already. */
  trigger: Trigger | undefined
  /** The definition itself, for providers that run code in this process. */
  definition: FunctionDefinition<never, unknown>
  onStep?: ((step: DeployStep) => void) | undefined
}

/** A deploy request without its progress callback: what `doPlan` compares with the cloud. */
export type PlanRequest = Omit<DeployRequest, 'onStep'>

export interface DeployResponse {
  record: FunctionRecord
  status: 'created' | 'updated' | 'unchanged'
  warnings: Warning[]
}

export interface InvokeRequest {
  name: string
  /** JSON text of the input. */
  payload: string
  /** Ask the provider to return the execution's log lines where it can. */
  includeLogs?: boolean | undefined
}

export interface LogEntry {
  /** ISO time. */
  timestamp: string
  executionId: string
  level: LogLevel
  message: string
}

export interface InvokeResponse {
  /** The shim's envelope as JSON text (see `Envelope`). */
  envelope: string
  logs?: LogEntry[] | undefined
  /** The billed duration the cloud reported for this execution, in ms, where it reports one. */
  billedMs?: number | undefined
}

export interface LogsRequest {
  name: string
  /** Only entries at or after this ISO time. */
  since?: string | undefined
  /** At most this many of the newest entries. */
  limit?: number | undefined
}

export interface FetchRequest {
  /** The deployed function, with its `url` and `trigger`. */
  record: FunctionRecord
  /** Addressed to `record.url` (or below it); the provider adds the credentials the trigger's auth calls for. */
  request: Request
}

export interface SendRequest {
  name: string
  /** The queue the function's trigger reads. */
  queue: string
  /** JSON text of the message. */
  message: string
}

export interface PublishRequest {
  /** The topic every subscriber reads. */
  topic: string
  /** JSON text of the message. */
  message: string
}

export interface GcOptions {
  /** Only resources last changed at least this long ago; younger ones may belong to a deploy in flight. */
  olderThanMs: number
  /** Report what would be removed, remove nothing. */
  dryRun: boolean
}

/**
 * Cloud resources by `kind:name` (`function:resize`, `app:cf-resize-1a2b3c4d`,
 * `plan:...`, `role:...`). With `dryRun`, `removed` is what would be removed.
 * `kept` holds what gc left: too young, still in use, or found in use again
 * (or refused by the cloud) when gc came to remove it.
 */
export interface GcResult {
  removed: string[]
  kept: string[]
}

/** An optional package a provider needs for a call, and what for (shown to the user when it is missing). */
export interface RequiredPackage {
  name: string
  for: string
}

export interface ProviderV1 {
  readonly specificationVersion: 'v1'
  /** Key under `providerOptions` and the value of every error's `provider`. */
  readonly name: string
  readonly capabilities: ProviderCapabilities
  readonly packaging?: PackagingSpec | undefined
  /**
   * Option names this provider accepts under `providerOptions[name]`;
   * any other key is rejected by the core.
   */
  readonly providerOptionKeys: readonly string[]
  /**
   * Optional packages a deploy of this request needs (cloud SDKs, the runtime
   * library the artifact ships); the core refuses the deploy, sending nothing,
   * when one is not installed.
   */
  requiredPackages?(request: { trigger: Trigger | undefined }): readonly RequiredPackage[]

  /** Create or update; idempotent. Returns `unchanged` when hash and config match. */
  doDeploy(request: DeployRequest, options: CallOptions): Promise<DeployResponse>
  /**
   * What `doDeploy` of the same request would change, from read calls only
   * (nothing is created, changed or deleted). Optional in v1: without it,
   * `cloud.plan()` throws `UnsupportedError` and `capabilities.plan` is false.
   * An unchanged redeploy plans no changes: use the same comparison as
   * `doDeploy` (code hash, config hash), ideally the same function.
   */
  doPlan?(request: PlanRequest, options: CallOptions): Promise<PlanResponse>
  /** Undefined when the function does not exist. */
  doGet(name: string, options: CallOptions): Promise<FunctionRecord | undefined>
  /** Functions this provider manages (tagged by cloudfn). */
  doList(options: CallOptions): Promise<FunctionRecord[]>
  doInvoke(request: InvokeRequest, options: CallOptions): Promise<InvokeResponse>
  /**
   * How the cloud bills one execution of this function, from the provider's
   * price table (see `src/cost`). Without it an execution is billed nothing,
   * its `billedMs` estimated as the measured duration rounded up to 1 ms.
   */
  billingRule?(record: FunctionRecord): BillingRule
  /** Required when `capabilities.asyncInvoke`. */
  doInvokeAsync?(request: InvokeRequest, options: CallOptions): Promise<{ executionId: string }>
  /** Required when `capabilities.logs`. */
  doLogs?(request: LogsRequest, options: CallOptions): Promise<LogEntry[]>
  /** Required when `capabilities.triggers.http`: calls an HTTP function's URL as its auth requires. */
  doFetch?(request: FetchRequest, options: CallOptions): Promise<Response>
  /** Required when `capabilities.triggers.queue`: enqueues one message for a queue-triggered function. */
  doSend?(request: SendRequest, options: CallOptions): Promise<{ messageId: string }>
  /**
   * Required when `capabilities.triggers.topic`: publishes one message to a topic, for every subscriber;
   * `NotFoundError` when no function subscribes to it (so no topic exists).
   */
  doPublish?(request: PublishRequest, options: CallOptions): Promise<{ messageId: string }>
  /** `removed: false` when there was nothing to remove (also removes the function's trigger resources). */
  doRemove(name: string, options: CallOptions): Promise<{ removed: boolean }>
  /**
   * Removes what cloudfn tagged as its own and that is older than
   * `olderThanMs`: its functions, and what a crashed deploy or remove left
   * behind (support resources no function uses any more). Never touches
   * untagged resources.
   */
  doGc?(options: GcOptions, callOptions: CallOptions): Promise<GcResult>
}

export type Provider = ProviderV1
