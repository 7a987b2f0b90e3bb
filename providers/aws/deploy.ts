import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import type { Artifact, DeployRequest, DeployResponse } from '../../src/provider.ts'
import { syncReservedConcurrency } from './concurrency.ts'
import { type AwsContext, awsCall, control } from './context.ts'
import { isRoleNotAssumable } from './errors.ts'
import { type AwsFunctionOptions, readFunctionOptions } from './options.ts'
import { type AwsDiff, type AwsPlan, describedFor, planAgainst } from './plan.ts'
import { whileRolePropagates } from './propagation.ts'
import { type CloudfnDescription, toRecord } from './record.ts'
import { executionRole } from './role.ts'
import { MANAGED_TAG } from './role-policies.ts'
import { checkQueueOwnership } from './triggers/ownership.ts'
import { retireTrigger, syncTrigger, triggerInPlace } from './triggers/sync.ts'
import { getConfiguration, isSettled, waitUntilSettled } from './wait.ts'

/** The artifact's entry file is `index.mjs` exporting `handler`. */
export const HANDLER = 'index.handler'

/** One deploy's inputs, checked. */
interface Job {
  request: DeployRequest
  artifact: Artifact
  options: AwsFunctionOptions
  description: string
  signal: AbortSignal | undefined
}

/**
 * Create or update, idempotently: reads the function, plans (plan.ts, as
 * `cloud.plan()` does), then applies the plan's changes; `unchanged` when
 * it has none (Lambda's code hash, cloudfn's config hash and the trigger's
 * resources all as asked).
 */
export async function deployFunction(context: AwsContext, request: DeployRequest, signal?: AbortSignal): Promise<DeployResponse> {
  const options = readFunctionOptions(request.providerOptions)
  const artifact = request.artifact
  if (!artifact) throw new Error('the aws provider needs a packaged artifact')
  const job: Job = {
    request,
    artifact,
    options,
    signal,
    // Checked before anything is sent, by plan and deploy alike.
    description: describedFor(request),
  }
  const existing = await getConfiguration(context, request.name, signal)
  // Plan, then apply: the changes `cloud.plan()` shows are the ones made here (plan.ts).
  const planned = await planAgainst(context, existing, request, options, signal)
  if (!existing || !planned.diff) return create(context, job)
  if (planned.changes.length === 0)
    return { record: toRecord(existing, planned.url), status: 'unchanged', warnings: planned.warnings }
  return update(context, job, existing, { ...planned, diff: planned.diff })
}

function configurationOf(job: Job) {
  return {
    FunctionName: job.request.name,
    MemorySize: job.request.memoryMb,
    Timeout: job.request.timeoutSec,
    Environment: { Variables: { ...job.request.env } },
    Description: job.description,
    Handler: HANDLER,
  }
}

async function create(context: AwsContext, job: Job): Promise<DeployResponse> {
  const { request, artifact, options, signal } = job
  await checkQueueOwnership(context, request.name, request.trigger)
  request.onStep?.('create')
  request.onStep?.('upload')
  const role = options.role ?? (await executionRole(context))
  const { client, sdk } = await context.clients.lambda()
  const command = new sdk.CreateFunctionCommand({
    ...configurationOf(job),
    Role: role,
    Runtime: context.settings.runtime,
    PackageType: 'Zip',
    Code: { ZipFile: artifact.zip },
    Architectures: options.architecture ? [options.architecture] : undefined,
    Tags: { [MANAGED_TAG.Key]: MANAGED_TAG.Value, 'cloudfn:name': request.name },
  })
  await createWhileRolePropagates(context, () =>
    awsCall(control('deploy', request.name), () => client.send(command, { abortSignal: signal })),
  )
  request.onStep?.('wait')
  const ready = await waitUntilSettled(context, request.name, signal)
  request.onStep?.('configure')
  if (request.scale.maxInstances !== undefined) await syncReservedConcurrency(context, request.name, request.scale, signal)
  const url = await syncTrigger(context, targetOf(ready, role), request.trigger)
  return { record: toRecord(ready, url), status: 'created', warnings: [] }
}

/** A new execution role takes 5–30 s before Lambda may assume it. */
function createWhileRolePropagates<T>(context: AwsContext, create: () => Promise<T>): Promise<T> {
  return whileRolePropagates(context, create, isRoleNotAssumable)
}

function targetOf(configuration: FunctionConfiguration, role?: string) {
  return {
    name: configuration.FunctionName ?? '',
    arn: configuration.FunctionArn ?? '',
    timeoutSec: configuration.Timeout ?? 3,
    role: role ?? configuration.Role ?? '',
  }
}

async function update(
  context: AwsContext,
  job: Job,
  existing: FunctionConfiguration,
  planned: AwsPlan & { diff: AwsDiff },
): Promise<DeployResponse> {
  const { request, artifact, options, signal } = job
  const { deployed, architecture } = planned.diff
  const kinds = new Set(planned.changes.map((change) => change.kind))
  const newCode = kinds.has('update-code')
  const newConfig = kinds.has('update-config')
  const newScale = kinds.has('update-scale')
  const { warnings } = planned
  if (!newCode && !newConfig) {
    request.onStep?.('update')
    // A deploy that failed after creating the function, before its reservation: set it.
    if (newScale) await syncReservedConcurrency(context, request.name, request.scale, signal)
    if (planned.changes.every((change) => change.kind === 'update-scale'))
      return { record: toRecord(existing, planned.url), status: 'updated', warnings }
    // Trigger resources: a deploy that failed between creating the function and its trigger. Finish it.
    await checkQueueOwnership(context, request.name, request.trigger)
    const synced = await syncTrigger(context, targetOf(existing), request.trigger)
    return { record: toRecord(existing, synced), status: 'updated', warnings }
  }
  // Only a changed deploy looks: an unchanged one keeps its request count.
  await checkQueueOwnership(context, request.name, request.trigger)
  request.onStep?.('update')
  const { client, sdk } = await context.clients.lambda()
  const at = control('deploy', request.name)
  // An earlier deploy may still be settling; Lambda refuses updates until it has.
  if (!isSettled(existing)) await waitUntilSettled(context, request.name, signal)
  let latest = existing
  if (newCode) {
    request.onStep?.('upload')
    const command = new sdk.UpdateFunctionCodeCommand({
      FunctionName: request.name,
      ZipFile: artifact.zip,
      Architectures: [architecture],
    })
    await awsCall(at, () => client.send(command, { abortSignal: signal }))
    request.onStep?.('wait')
    latest = await waitUntilSettled(context, request.name, signal)
  }
  // Planned in every path (plan.ts): set a missing or changed reservation, or remove the one cloudfn set. Before a
  // new config hash is written, so that a deploy that fails here is redone, not taken as done.
  if (newScale) await syncReservedConcurrency(context, request.name, request.scale, signal)
  let url = newConfig ? undefined : await urlOf(context, request.name, deployed)
  if (newConfig) {
    request.onStep?.('configure')
    await retireTrigger(context, request.name, deployed, request.trigger)
    const command = new sdk.UpdateFunctionConfigurationCommand({
      ...configurationOf(job),
      ...(options.role ? { Role: options.role } : {}),
    })
    await createWhileRolePropagates(context, () => awsCall(at, () => client.send(command, { abortSignal: signal })))
    request.onStep?.('wait')
    latest = await waitUntilSettled(context, request.name, signal)
    url = await syncTrigger(context, targetOf(latest), request.trigger)
  }
  return { record: toRecord(latest, url), status: 'updated', warnings }
}

async function urlOf(context: AwsContext, name: string, deployed: CloudfnDescription): Promise<string | undefined> {
  return deployed.trigger?.kind === 'http' ? (await triggerInPlace(context, name, deployed.trigger)).url : undefined
}
