import { createHash, randomUUID } from 'node:crypto'
import { type FunctionState, type RpcStatus, rpcCode, stateNumber } from '../enums.ts'
import { shortName } from '../names.ts'
import type { IamPolicy } from './iam-policy.ts'
import type { Revision } from './revision.ts'

/** The Function resource as the REST API shows it (enums as numbers, as gax asks). */
export interface FunctionResource {
  name: string
  environment: number
  state: number
  updateTime: string
  url: string
  labels: Record<string, string>
  stateMessages: Array<{ severity: number; type: string; message: string }>
  buildConfig: { runtime?: string; entryPoint?: string; source?: { storageSource?: StorageSource } }
  serviceConfig: {
    availableMemory?: string
    timeoutSeconds?: number
    environmentVariables?: Record<string, string>
    maxInstanceCount?: number
    minInstanceCount?: number
    maxInstanceRequestConcurrency?: number
    serviceAccountEmail?: string
    uri: string
    service: string
    revision?: string
    ingressSettings: number
    allTrafficOnLatestRevision: boolean
  }
  eventTrigger?: EventTrigger
}

/** A function's Pub/Sub or Cloud Storage trigger; `trigger` and `pubsubTopic` echo the Eventarc trigger it runs on. */
export interface EventTrigger {
  eventType?: string
  pubsubTopic?: string
  /** Cloud Storage events: `[{ attribute: 'bucket', value }]`. */
  eventFilters?: Array<{ attribute?: string; value?: string; operator?: string }>
  retryPolicy?: number
  triggerRegion?: string
  serviceAccountEmail?: string
  /** Output only: the Eventarc trigger's resource name. */
  trigger?: string
}

export interface StorageSource {
  bucket?: string
  object?: string
  generation?: string
}

export interface EmulatedFunction {
  resource: FunctionResource
  /** The revision serving traffic; absent until the first deploy finishes. */
  revision: Revision | undefined
  /** A new revision that has started and waits for its operation's modelled delay before it takes traffic. */
  rollingOut?: Revision | undefined
  /** The push subscription of its Eventarc trigger, for a Pub/Sub-triggered function. */
  eventSubscription?: string | undefined
}

export interface OperationResource {
  name: string
  done: boolean
  metadata: Record<string, unknown>
  response?: Record<string, unknown>
  error?: { code: number; message: string; details: unknown[] }
}

/** OperationType, Stage.Name and Stage.State numbers (google/cloud/functions/v2/functions.proto). */
const OPERATION_TYPES = { create: 1, update: 2, delete: 3 } as const
const STAGE_BUILD = 2
const STAGE_SERVICE = 3
const STAGE_TRIGGER = 4
const STAGE_NOT_STARTED = 1
const STAGE_COMPLETE = 3

/** Everything the emulator holds; tests read it directly as the probe of side effects. */
export class GcpEmulatorState {
  /** By full resource name. */
  readonly functions = new Map<string, EmulatedFunction>()
  readonly operations = new Map<string, OperationResource>()
  /** Uploaded archives by `bucket/object`; undefined until the PUT arrives. */
  readonly uploads = new Map<string, Uint8Array | undefined>()
  /** Executions started per function ID (kept after removal). */
  readonly executions = new Map<string, number>()
  /** Cloud Run IAM policies by service resource name (`projects/P/locations/L/services/S`). */
  readonly servicePolicies = new Map<string, IamPolicy>()
  /** Every request that reached any emulated host, refused ones included. */
  requestCount = 0
  /** Those of them that were not GET or HEAD. */
  writeCount = 0
  /** The latest requests (up to 1000), oldest first, for tests that check what was called. */
  readonly requests: Array<{ method: string; url: string }> = []

  recordRequest(request: Request): void {
    this.requestCount++
    // Google's REST APIs read with GET only (AIP-131, AIP-132); every other method may change something.
    if (request.method !== 'GET' && request.method !== 'HEAD') this.writeCount++
    this.requests.push({ method: request.method, url: request.url })
    if (this.requests.length > 1000) this.requests.shift()
  }

  byShortName(name: string): EmulatedFunction | undefined {
    for (const fn of this.functions.values()) if (shortName(fn.resource.name) === name) return fn
    return undefined
  }

  byUrl(origin: string): EmulatedFunction | undefined {
    for (const fn of this.functions.values()) if (fn.resource.serviceConfig.uri === origin) return fn
    return undefined
  }

  functionNames(): string[] {
    return [...this.functions.values()].map((fn) => shortName(fn.resource.name))
  }

  countExecution(name: string): void {
    this.executions.set(name, (this.executions.get(name) ?? 0) + 1)
  }

  setState(fn: EmulatedFunction, state: FunctionState, message?: string): void {
    fn.resource.state = stateNumber(state)
    fn.resource.updateTime = new Date().toISOString()
    fn.resource.stateMessages = message ? [{ severity: 1, type: 'DeploymentFailure', message }] : []
  }

  /**
   * A long-running operation with google.cloud.functions.v2.OperationMetadata
   * (functions.proto): operationType, the request's Function as
   * requestResource, the build's name and the rollout's stages (BUILD and
   * SERVICE, TRIGGER for an event function; NOT_STARTED until it finishes).
   * Enums are numbers here, as the REST clients ask for them (enum-encoding.ts).
   */
  startOperation(
    location: string,
    verb: 'create' | 'update' | 'delete',
    target: string,
    request?: { resource: Record<string, unknown>; eventTrigger: boolean },
  ): OperationResource {
    const now = new Date().toISOString()
    const [, project, , region] = location.split('/')
    const stages = request ? [STAGE_BUILD, STAGE_SERVICE, ...(request.eventTrigger ? [STAGE_TRIGGER] : [])] : []
    const operation: OperationResource = {
      name: `${location}/operations/operation-${randomUUID()}`,
      done: false,
      metadata: {
        '@type': 'type.googleapis.com/google.cloud.functions.v2.OperationMetadata',
        createTime: now,
        target,
        verb,
        apiVersion: 'v2',
        cancelRequested: false,
        operationType: OPERATION_TYPES[verb],
        ...(request
          ? {
              requestResource: {
                '@type': 'type.googleapis.com/google.cloud.functions.v2.Function',
                ...structuredClone(request.resource),
              },
              buildName: `projects/${GcpEmulatorState.projectNumber(project ?? '')}/locations/${region}/builds/${randomUUID()}`,
            }
          : {}),
        stages: stages.map((name) => ({ name, state: STAGE_NOT_STARTED })),
      },
    }
    this.operations.set(operation.name, operation)
    return operation
  }

  finishOperation(
    operation: OperationResource,
    outcome: { response: Record<string, unknown> } | { error: RpcStatus; message: string },
  ) {
    operation.done = true
    operation.metadata.endTime = new Date().toISOString()
    if ('response' in outcome) {
      for (const stage of operation.metadata.stages as Array<{ state: number }>) stage.state = STAGE_COMPLETE
    }
    if ('response' in outcome) operation.response = outcome.response
    else operation.error = { code: rpcCode(outcome.error), message: outcome.message, details: [] }
  }

  /** A stable, made-up project number (the real one is assigned by Resource Manager). */
  static projectNumber(project: string): string {
    return String(Number.parseInt(createHash('sha256').update(project).digest('hex').slice(0, 10), 16)).slice(0, 12)
  }

  /** `https://NAME-HASH-REGIONCODE.a.run.app`, as Cloud Run names a service's URL. */
  static serviceUrl(project: string, region: string, name: string): string {
    const hash = createHash('sha256').update(project).digest('hex').slice(0, 10)
    const code = region
      .split('-')
      .map((part) => part[0])
      .join('')
    return `https://${name}-${hash}-${code}.a.run.app`
  }
}
