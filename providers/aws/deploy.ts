import type { FunctionConfiguration } from '@aws-sdk/client-lambda'
import { ConflictError } from '../../src/errors/conflict.ts'
import type { Artifact, DeployRequest, DeployResponse } from '../../src/provider.ts'
import { abortableSleep } from '../../src/retry.ts'
import { type AwsContext, awsCall, control } from './context.ts'
import { isRoleNotAssumable } from './errors.ts'
import { type AwsFunctionOptions, readFunctionOptions } from './options.ts'
import { decodeDescription, encodeDescription, hexFromBase64, toRecord } from './record.ts'
import { executionRole, MANAGED_TAG } from './role.ts'
import { readUrl, syncUrl } from './url.ts'
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
    description: encodeDescription({ configHash: request.configHash, url: options.url?.auth }),
  }
  const existing = await getConfiguration(context, request.name, signal)
  return existing ? update(context, plan, existing) : create(context, plan)
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
  const url = await syncUrl(context, request.name, options.url?.auth)
  return { record: toRecord(ready, url), status: 'created', warnings: [] }
}

/**
 * A new execution role takes 5–30 s before Lambda may assume it. That wait
 * is longer than the core's retries allow for, so it is waited out here.
 */
async function createWhileRolePropagates<T>(context: AwsContext, create: () => Promise<T>): Promise<T> {
  const { pollIntervalMs, readyTimeoutMs } = context.settings
  const deadline = Date.now() + Math.min(readyTimeoutMs, 120_000)
  for (;;) {
    try {
      return await create()
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      if (!isRoleNotAssumable(cause) || Date.now() >= deadline) throw error
      await abortableSleep(Math.max(pollIntervalMs, 1) * 2)
    }
  }
}

async function update(context: AwsContext, plan: Plan, existing: FunctionConfiguration): Promise<DeployResponse> {
  const { request, artifact, options, signal } = plan
  const deployed = decodeDescription(existing.Description)
  if (!deployed) {
    throw new ConflictError({
      provider: 'aws',
      isRetryable: false,
      message: `A Lambda function named '${request.name}' exists but was not deployed by cloudfn; choose another name or remove it first`,
    })
  }
  const architecture = options.architecture ?? 'x86_64'
  const sameArchitecture = (existing.Architectures?.[0] ?? 'x86_64') === architecture
  const sameCode = hexFromBase64(existing.CodeSha256) === artifact.sha256 && sameArchitecture
  const sameConfig = deployed.configHash === request.configHash
  if (sameCode && sameConfig) {
    const url = deployed.url ? await readUrl(context, request.name) : undefined
    if (!deployed.url || url) return { record: toRecord(existing, url), status: 'unchanged', warnings: [] }
    // A deploy that failed between creating the function and its URL: finish it.
    return { record: toRecord(existing, await syncUrl(context, request.name, deployed.url)), status: 'updated', warnings: [] }
  }
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
  let url = deployed.url ? await readUrl(context, request.name) : undefined
  if (!sameConfig) {
    request.onStep?.('configure')
    const command = new sdk.UpdateFunctionConfigurationCommand({
      ...configurationOf(plan),
      ...(options.role ? { Role: options.role } : {}),
    })
    await createWhileRolePropagates(context, () => awsCall(at, () => client.send(command, { abortSignal: signal })))
    request.onStep?.('wait')
    latest = await waitUntilSettled(context, request.name, signal)
    url = await syncUrl(context, request.name, options.url?.auth)
  }
  return { record: toRecord(latest, url), status: 'updated', warnings: [] }
}
