import { ProviderError } from '../../src/errors/provider-error.ts'
import type { PlanChangeKind } from '../../src/plan.ts'
import type { Artifact, DeployRequest, DeployResponse, Warning } from '../../src/provider.ts'
import { throwIfAborted } from '../../src/retry.ts'
import { awaitOperation, type ControlPlane, uploadSource, waitSettled } from './control-plane.ts'
import { checkDeploy, type Options } from './deploy-checks.ts'
import { functionState } from './enums.ts'
import { cloudfnLabels } from './labels.ts'
import { formatMemory } from './memory.ts'
import { functionResourceName, locationName } from './names.ts'
import { planAgainst } from './plan.ts'
import { type Endpoint, IGNORED_ROUTES_ENV, toEndpoint, toRecord } from './record.ts'
import type { GcpFunction } from './sdk.ts'
import { topicName } from './triggers/pubsub.ts'
import { ensureBucket, storageEventTrigger } from './triggers/storage.ts'
import { storedTrigger, triggerEnv } from './triggers/stored.ts'
import { ensureTopics, removeTriggerResources, syncTrigger } from './triggers/sync.ts'
import { ensureTopicResources, pubsubNames } from './triggers/topic.ts'

export const PROVIDER_OPTION_KEYS = ['maxInstances', 'minInstances', 'serviceAccountEmail'] as const

/** Node.js 22 on the Cloud Functions builder; the shim's bundle is the whole app. */
const RUNTIME = 'nodejs22'
export const TIMEOUT_ENV = 'CLOUDFN_TIMEOUT_SEC'
const ENTRY_POINT = 'handler'

const CONFIG_PATHS = [
  'serviceConfig.availableMemory',
  'serviceConfig.timeoutSeconds',
  'serviceConfig.environmentVariables',
  'serviceConfig.maxInstanceCount',
  'serviceConfig.minInstanceCount',
  'serviceConfig.maxInstanceRequestConcurrency',
  'labels',
]
const CODE_PATHS = ['buildConfig.runtime', 'buildConfig.entryPoint', 'buildConfig.source']

/** google.cloud.functions.v2.EventTrigger.RetryPolicy.RETRY_POLICY_RETRY: a failed delivery comes again. */
const RETRY_POLICY_RETRY = 2
const PUBSUB_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished'

/** Pub/Sub's Eventarc trigger on the function; absent for every other trigger. */
function eventTriggerOf(plane: ControlPlane, request: DeployRequest, options: Options): GcpFunction['eventTrigger'] {
  const names = pubsubNames(request.trigger, request.name)
  if (!names) return undefined
  return {
    eventType: PUBSUB_PUBLISHED,
    pubsubTopic: topicName(plane.location, names.topic),
    retryPolicy: RETRY_POLICY_RETRY,
    triggerRegion: plane.location.region,
    ...(options.serviceAccountEmail ? { serviceAccountEmail: options.serviceAccountEmail } : {}),
  }
}

/**
 * The Functions Framework answers an HTTP function's /favicon.ico and
 * /robots.txt with 404 itself unless IGNORED_ROUTES is set: empty, every path
 * reaches the handler, as on the other clouds. A user's own value wins.
 */
function frameworkEnv(request: DeployRequest): Record<string, string> {
  return request.trigger?.kind === 'http' ? { [IGNORED_ROUTES_ENV]: '' } : {}
}

function specOf(plane: ControlPlane, request: DeployRequest, options: Options, labels: Record<string, string>): GcpFunction {
  const eventTrigger = eventTriggerOf(plane, request, options)
  return {
    labels,
    ...(eventTrigger ? { eventTrigger } : {}),
    buildConfig: { runtime: RUNTIME, entryPoint: ENTRY_POINT },
    serviceConfig: {
      availableMemory: formatMemory(request.memoryMb),
      timeoutSeconds: request.timeoutSec,
      // The shim reads it for ctx.remainingMs(); CLOUDFN_ names are reserved for cloudfn.
      environmentVariables: {
        ...frameworkEnv(request),
        ...request.env,
        [TIMEOUT_ENV]: String(request.timeoutSec),
        ...triggerEnv(request.trigger),
      },
      maxInstanceCount: options.maxInstances,
      minInstanceCount: options.minInstances,
      // One request per instance, as on the other clouds: cold starts and env stay per execution.
      maxInstanceRequestConcurrency: 1,
      ...(options.serviceAccountEmail ? { serviceAccountEmail: options.serviceAccountEmail } : {}),
    },
  }
}

/** The neutral answer, and where to invoke the function: `record.url` is set only for HTTP triggers. */
export interface Deployed {
  response: DeployResponse
  endpoint: Endpoint | undefined
}

const deployed = (fn: GcpFunction, status: DeployResponse['status'], warnings: Warning[]): Deployed => ({
  response: { record: toRecord(fn), status, warnings },
  endpoint: toEndpoint(fn),
})

/** One deploy's inputs, checked. */
interface Job {
  request: DeployRequest
  artifact: Artifact
  options: Options
  signal: AbortSignal | undefined
}

/**
 * Create or update, idempotently: reads the function, plans (plan.ts, as
 * `cloud.plan()` does), then applies the plan's changes; `unchanged` when
 * it has none (the code and config labels, the state and the trigger's
 * resources all as asked).
 */
export async function deployFunction(plane: ControlPlane, request: DeployRequest, signal?: AbortSignal): Promise<Deployed> {
  const { name, artifact } = request
  if (!artifact) throw new ProviderError({ provider: 'gcp', isRetryable: false, message: 'gcp deploys need a packaged artifact' })
  // Before anything changes: a refused deploy leaves both functions as they were (plan.ts runs the same checks).
  const options = await checkDeploy(plane, request)
  const existing = await waitSettled(plane, name, signal)
  // Plan, then apply: the changes `cloud.plan()` shows are the ones made here.
  const planned = await planAgainst(plane, existing, request, options)
  if (existing && planned.changes.length === 0) return deployed(existing, 'unchanged', planned.warnings)
  request.onStep?.(existing ? 'update' : 'create')
  const kinds = new Set(planned.changes.map((change) => change.kind))
  const job: Job = { request, artifact, options, signal }
  let fn = existing
  if (existing && kinds.has('replace-function')) {
    // The old trigger's resources are released by the sync below, which knows the trigger they served.
    await deleteFunctionResource(plane, name)
    fn = undefined
  }
  if (!fn || kinds.has('update-code') || kinds.has('update-config')) fn = await writeFunction(plane, job, fn, kinds)
  // New code alone leaves the trigger as it is; any other change may move it, and the sync (whose every step reads,
  // then writes only what differs) makes what the plan lists for the trigger. plan.test.ts fails on a write it did not list.
  if (planned.changes.some((change) => change.kind !== 'update-code'))
    await syncTrigger(plane, fn, name, request.trigger, planned.previous, () => {})
  return deployed(fn, existing ? 'updated' : 'created', planned.warnings)
}

/**
 * Creates the function, or updates what the plan changes (the code, the
 * configuration; the labels, which record both, always), and waits until
 * it is ACTIVE.
 */
async function writeFunction(
  plane: ControlPlane,
  job: Job,
  existing: GcpFunction | undefined,
  kinds: ReadonlySet<PlanChangeKind>,
): Promise<GcpFunction> {
  const { request, artifact, options, signal } = job
  const { name } = request
  // The topics an Eventarc trigger points at exist before the function does.
  if (request.trigger?.kind === 'queue') await ensureTopics(plane, request.trigger, name, () => {})
  if (request.trigger?.kind === 'topic') await ensureTopicResources(plane, request.trigger, name, () => {})
  const labels = { ...existing?.labels, ...cloudfnLabels(artifact.sha256, request.configHash) }
  const spec = specOf(plane, request, options, labels)
  // Cloud Storage events (triggers/storage.ts): the bucket first, then a trigger in its location.
  if (request.trigger?.kind === 'storage') {
    const location = await ensureBucket(plane, request.trigger, () => {})
    spec.eventTrigger = storageEventTrigger(request.trigger, location, options.serviceAccountEmail)
  }
  const client = await plane.client()
  // A new function, new code, or a function whose last build failed (planned as update-code) needs its source.
  const needsCode = !existing || kinds.has('update-code')
  if (needsCode) {
    request.onStep?.('upload')
    const storageSource = await uploadSource(plane, name, artifact.zip, signal)
    spec.buildConfig = { ...spec.buildConfig, source: { storageSource } }
  }
  throwIfAborted(signal)
  request.onStep?.('configure')
  const resourceName = functionResourceName(plane.location, name)
  const config = kinds.has('update-config') ? [...CONFIG_PATHS, ...(spec.eventTrigger ? ['eventTrigger'] : [])] : ['labels']
  const start = existing
    ? (poll: object) =>
        client.updateFunction(
          { function: { ...spec, name: resourceName }, updateMask: { paths: [...config, ...(needsCode ? CODE_PATHS : [])] } },
          poll,
        )
    : (poll: object) =>
        client.createFunction(
          { parent: locationName(plane.location), functionId: name, function: { ...spec, environment: 2 } },
          poll,
        )
  request.onStep?.('wait')
  await awaitOperation(name, existing ? 'update' : 'create', start, plane)
  // The operation's result can predate the revision going live; read the function's own state.
  const settled = await waitSettled(plane, name, signal)
  if (!settled || functionState(settled.state) !== 'ACTIVE') {
    const reasons = (settled?.stateMessages ?? []).map((m) => m.message).filter(Boolean)
    throw new ProviderError({
      provider: 'gcp',
      isRetryable: false,
      message: `Function '${name}' did not become ACTIVE (${functionState(settled?.state)})${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
    })
  }
  return settled
}

/** Removes the trigger's resources first, so a remove that crashes half-way is finished by the next one. */
export async function removeFunction(plane: ControlPlane, name: string, signal?: AbortSignal): Promise<{ removed: boolean }> {
  // An operation still running on it (a deploy, or a delete whose answer a dropped connection lost) is waited out:
  // Cloud Functions refuses another one with ABORTED ("An operation on function ... is already in progress").
  const existing = await waitSettled(plane, name, signal)
  if (!existing) return { removed: false }
  // Between steps: nothing more is deleted once the caller has aborted.
  throwIfAborted(signal)
  await removeTriggerResources(plane, name, storedTrigger(existing.serviceConfig?.environmentVariables))
  throwIfAborted(signal)
  return { removed: await deleteFunctionResource(plane, name) }
}

/** Deletes the function alone (its Eventarc trigger and subscription go with it); false when it was gone already. */
async function deleteFunctionResource(plane: ControlPlane, name: string): Promise<boolean> {
  const client = await plane.client()
  try {
    await awaitOperation(
      name,
      'remove',
      (poll) => client.deleteFunction({ name: functionResourceName(plane.location, name) }, poll),
      plane,
    )
  } catch (error) {
    // Someone else removed it first: the outcome the caller wanted.
    if ((error as { code?: string }).code === 'NotFound') return false
    throw error
  }
  return true
}
