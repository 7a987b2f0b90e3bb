import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import type { Artifact, DeployRequest, DeployResponse } from '../../src/provider.ts'
import { fail } from '../../src/validation.ts'
import { reservationInPlace, syncReservedConcurrency } from './concurrency.ts'
import { type AwsContext, awsCall, control } from './context.ts'
import { isRoleNotAssumable } from './errors.ts'
import { type AwsFunctionOptions, readFunctionOptions } from './options.ts'
import { diffAws } from './plan.ts'
import { whileRolePropagates } from './propagation.ts'
import { type CloudfnDescription, DESCRIPTION_CHARS, encodeDescription, toRecord } from './record.ts'
import { executionRole } from './role.ts'
import { MANAGED_TAG } from './role-policies.ts'
import { checkQueueOwnership } from './triggers/ownership.ts'
import { retireTrigger, syncTrigger, triggerInPlace } from './triggers/sync.ts'
import { getConfiguration, isSettled, waitUntilSettled } from './wait.ts'

/** The artifact's entry file is `index.mjs` exporting `handler`. */
export const HANDLER = 'index.handler'

interface Plan {
  request: DeployRequest
  artifact: Artifact
  options: AwsFunctionOptions
  description: string
  signal: AbortSignal | undefined
}

/** Create or update, idempotently; `unchanged` when Lambda's code hash and cloudfn's config hash match. */
export async function deployFunction(context: AwsContext, request: DeployRequest, signal?: AbortSignal): Promise<DeployResponse> {
  const options = readFunctionOptions(request.providerOptions)
  const artifact = request.artifact
  if (!artifact) throw new Error('the aws provider needs a packaged artifact')
  const plan: Plan = {
    request,
    artifact,
    options,
    signal,
    description: encodeDescription({ configHash: request.configHash, trigger: request.trigger }),
  }
  checkAwsRules(plan)
  const existing = await getConfiguration(context, request.name, signal)
  return existing ? update(context, plan, existing) : create(context, plan)
}

/** What only AWS limits, checked before anything is sent. */
function checkAwsRules(plan: Plan): void {
  const { request } = plan
  if (plan.description.length > DESCRIPTION_CHARS) {
    // The trigger is kept in the description: only a very long schedule expression or queue names get here.
    fail(
      request.trigger?.kind === 'schedule' ? 'trigger.schedule' : 'trigger',
      `is too long to record on AWS (the function's description holds at most ${DESCRIPTION_CHARS} characters)`,
    )
  }
}

function configurationOf(plan: Plan) {
  return {
    FunctionName: plan.request.name,
    MemorySize: plan.request.memoryMb,
    Timeout: plan.request.timeoutSec,
    Environment: { Variables: { ...plan.request.env } },
    Description: plan.description,
    Handler: HANDLER,
  }
}

async function create(context: AwsContext, plan: Plan): Promise<DeployResponse> {
  const { request, artifact, options, signal } = plan
  await checkQueueOwnership(context, request.name, request.trigger)
  request.onStep?.('create')
  request.onStep?.('upload')
  const role = options.role ?? (await executionRole(context))
  const { client, sdk } = await context.clients.lambda()
  const command = new sdk.CreateFunctionCommand({
    ...configurationOf(plan),
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

async function update(context: AwsContext, plan: Plan, existing: FunctionConfiguration): Promise<DeployResponse> {
  const { request, artifact, options, signal } = plan
  // The comparison plan.ts makes for `cloud.plan()`: a plan and a deploy agree on what changes.
  const { deployed, architecture, sameCode, sameConfig } = diffAws(existing, request, options)
  if (sameCode && sameConfig) {
    const reserved = await reservationInPlace(context, request.name, request.scale, signal)
    const { ready, url } = await triggerInPlace(context, request.name, request.trigger)
    if (ready && reserved) return { record: toRecord(existing, url), status: 'unchanged', warnings: [] }
    // A deploy that failed after creating the function, before its reservation: set it.
    if (!reserved) {
      request.onStep?.('update')
      await syncReservedConcurrency(context, request.name, request.scale, signal)
      if (ready) return { record: toRecord(existing, url), status: 'updated', warnings: [] }
    }
    // A deploy that failed between creating the function and its trigger: finish it.
    await checkQueueOwnership(context, request.name, request.trigger)
    request.onStep?.('update')
    const synced = await syncTrigger(context, targetOf(existing), request.trigger)
    return { record: toRecord(existing, synced), status: 'updated', warnings: [] }
  }
  // Only a changed deploy looks: an unchanged one keeps its request count.
  await checkQueueOwnership(context, request.name, request.trigger)
  request.onStep?.('update')
  const { client, sdk } = await context.clients.lambda()
  const at = control('deploy', request.name)
  // An earlier deploy may still be settling; Lambda refuses updates until it has.
  if (!isSettled(existing)) await waitUntilSettled(context, request.name, signal)
  let latest = existing
  if (!sameCode) {
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
  let url = sameConfig ? await urlOf(context, request.name, deployed) : undefined
  if (!sameConfig) {
    request.onStep?.('configure')
    await retireTrigger(context, request.name, deployed, request.trigger)
    // Before the new config hash is written: a deploy that fails here is redone, not taken as done.
    await syncReservedConcurrency(context, request.name, request.scale, signal)
    const command = new sdk.UpdateFunctionConfigurationCommand({
      ...configurationOf(plan),
      ...(options.role ? { Role: options.role } : {}),
    })
    await createWhileRolePropagates(context, () => awsCall(at, () => client.send(command, { abortSignal: signal })))
    request.onStep?.('wait')
    latest = await waitUntilSettled(context, request.name, signal)
    url = await syncTrigger(context, targetOf(latest), request.trigger)
  }
  return { record: toRecord(latest, url), status: 'updated', warnings: [] }
}

async function urlOf(context: AwsContext, name: string, deployed: CloudfnDescription): Promise<string | undefined> {
  return deployed.trigger?.kind === 'http' ? (await triggerInPlace(context, name, deployed.trigger)).url : undefined
}
