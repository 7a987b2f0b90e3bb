import { ProviderError } from '../../src/errors/provider-error.ts'
import type { DeployRequest, DeployResponse, Warning } from '../../src/provider.ts'
import { throwIfAborted } from '../../src/retry.ts'
import { awaitOperation, type ControlPlane, getFunction, uploadSource, waitSettled } from './control-plane.ts'
import { checkDeploy, type Options } from './deploy-checks.ts'
import { functionState } from './enums.ts'
import { cloudfnLabels } from './labels.ts'
import { formatMemory } from './memory.ts'
import { functionResourceName, locationName } from './names.ts'
import { diffGcp } from './plan.ts'
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

/** Create or update, skipping both when the code and configuration hashes match what is deployed. */
export async function deployFunction(plane: ControlPlane, request: DeployRequest, signal?: AbortSignal): Promise<Deployed> {
  const { name, artifact } = request
  if (!artifact) throw new ProviderError({ provider: 'gcp', isRetryable: false, message: 'gcp deploys need a packaged artifact' })
  // Before anything changes: a refused deploy leaves both functions as they were (plan.ts runs the same checks).
  const options = await checkDeploy(plane, request)
  const warnings: Warning[] = []
  let existing = await waitSettled(plane, name, signal)
  const labels = existing?.labels ?? {}
  // The comparison plan.ts makes for `cloud.plan()`: a plan and a deploy agree on what changes.
  const { sameCode, sameConfig, active, replace } = diffGcp(existing, request)
  let changed = false
  const beforeChange = () => {
    if (!changed) request.onStep?.(existing ? 'update' : 'create')
    changed = true
  }
  if (existing && active && sameCode && sameConfig) {
    // The trigger's own resources may lag behind a deploy that crashed after the function changed.
    if (request.trigger) await syncTrigger(plane, existing, name, request.trigger, request.trigger, beforeChange)
    return deployed(existing, changed ? 'updated' : 'unchanged', warnings)
  }
  beforeChange()
  const existed = existing !== undefined
  const previous = storedTrigger(existing?.serviceConfig?.environmentVariables)
  if (existing && replace) {
    await removeFunction(plane, name)
    existing = undefined
  }
  if (request.trigger?.kind === 'queue') await ensureTopics(plane, request.trigger, name, beforeChange)
  if (request.trigger?.kind === 'topic') await ensureTopicResources(plane, request.trigger, name, beforeChange)
  const spec = specOf(plane, request, options, { ...labels, ...cloudfnLabels(artifact.sha256, request.configHash) })
  // Cloud Storage events (triggers/storage.ts): the bucket first, then a trigger in its location.
  if (request.trigger?.kind === 'storage') {
    const location = await ensureBucket(plane, request.trigger, beforeChange)
    spec.eventTrigger = storageEventTrigger(request.trigger, location, options.serviceAccountEmail)
  }
  const client = await plane.client()
  // A function whose last build failed needs its source again even if the hash matches.
  const needsCode = !existing || !sameCode || functionState(existing.state) !== 'ACTIVE'
  if (needsCode) {
    request.onStep?.('upload')
    const storageSource = await uploadSource(plane, name, artifact.zip, signal)
    spec.buildConfig = { ...spec.buildConfig, source: { storageSource } }
  }
  throwIfAborted(signal)
  request.onStep?.('configure')
  const resourceName = functionResourceName(plane.location, name)
  const update = existing !== undefined
  const start = update
    ? (poll: object) =>
        client.updateFunction(
          {
            function: { ...spec, name: resourceName },
            updateMask: {
              paths: [...CONFIG_PATHS, ...(spec.eventTrigger ? ['eventTrigger'] : []), ...(needsCode ? CODE_PATHS : [])],
            },
          },
          poll,
        )
    : (poll: object) =>
        client.createFunction(
          { parent: locationName(plane.location), functionId: name, function: { ...spec, environment: 2 } },
          poll,
        )
  request.onStep?.('wait')
  await awaitOperation(name, update ? 'update' : 'create', start, plane)
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
  await syncTrigger(plane, settled, name, request.trigger, previous, beforeChange)
  return deployed(settled, existed ? 'updated' : 'created', warnings)
}

/** Removes the trigger's resources first, so a remove that crashes half-way is finished by the next one. */
export async function removeFunction(plane: ControlPlane, name: string, signal?: AbortSignal): Promise<{ removed: boolean }> {
  const existing = await getFunction(plane, name)
  if (!existing) return { removed: false }
  // Between steps: nothing more is deleted once the caller has aborted.
  throwIfAborted(signal)
  await removeTriggerResources(plane, name, storedTrigger(existing.serviceConfig?.environmentVariables))
  throwIfAborted(signal)
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
    if ((error as { code?: string }).code === 'NotFound') return { removed: false }
    throw error
  }
  return { removed: true }
}
