import { ProviderError } from '../../src/errors/provider-error.ts'
import type { DeployRequest, DeployResponse, Warning } from '../../src/provider.ts'
import { throwIfAborted } from '../../src/retry.ts'
import { expectString, fail, integerOr } from '../../src/validation.ts'
import { awaitOperation, type ControlPlane, getFunction, uploadSource, waitSettled } from './control-plane.ts'
import { functionState } from './enums.ts'
import { CODE_LABEL, CONFIG_LABEL, cloudfnLabels, hexToLabel } from './labels.ts'
import { formatMemory } from './memory.ts'
import { functionResourceName, locationName } from './names.ts'
import { toRecord } from './record.ts'
import type { GcpFunction } from './sdk.ts'

export const PROVIDER_OPTION_KEYS = ['maxInstances', 'minInstances', 'serviceAccountEmail'] as const

/** Node.js 22 on the Cloud Functions builder; the shim's bundle is the whole app. */
const RUNTIME = 'nodejs22'
export const TIMEOUT_ENV = 'CLOUDFN_TIMEOUT_SEC'
const ENTRY_POINT = 'handler'

interface Options {
  maxInstances: number
  minInstances: number
  serviceAccountEmail: string | undefined
}

function checkOptions(options: Readonly<Record<string, unknown>>): Options {
  const field = (key: string) => `providerOptions.gcp.${key}`
  const maxInstances = integerOr(options.maxInstances, 100, field('maxInstances'), 1, 1000)
  const minInstances = integerOr(options.minInstances, 0, field('minInstances'), 0, 1000)
  if (minInstances > maxInstances) fail(field('minInstances'), 'must not exceed maxInstances')
  const email = options.serviceAccountEmail
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(expectString(email, field('serviceAccountEmail'))))
    fail(field('serviceAccountEmail'), 'must be a service account e-mail address')
  return { maxInstances, minInstances, serviceAccountEmail: email as string | undefined }
}

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

function specOf(request: DeployRequest, options: Options, labels: Record<string, string>): GcpFunction {
  return {
    labels,
    buildConfig: { runtime: RUNTIME, entryPoint: ENTRY_POINT },
    serviceConfig: {
      availableMemory: formatMemory(request.memoryMb),
      timeoutSeconds: request.timeoutSec,
      // The shim reads it for ctx.remainingMs(); CLOUDFN_ names are reserved for cloudfn.
      environmentVariables: { ...request.env, [TIMEOUT_ENV]: String(request.timeoutSec) },
      maxInstanceCount: options.maxInstances,
      minInstanceCount: options.minInstances,
      // One request per instance, as on the other clouds: cold starts and env stay per execution.
      maxInstanceRequestConcurrency: 1,
      ...(options.serviceAccountEmail ? { serviceAccountEmail: options.serviceAccountEmail } : {}),
    },
  }
}

/** Create or update, skipping both when the code and configuration hashes match what is deployed. */
export async function deployFunction(plane: ControlPlane, request: DeployRequest, signal?: AbortSignal): Promise<DeployResponse> {
  const { name, artifact } = request
  if (!artifact) throw new ProviderError({ provider: 'gcp', isRetryable: false, message: 'gcp deploys need a packaged artifact' })
  const options = checkOptions(request.providerOptions)
  const warnings: Warning[] = []
  const existing = await waitSettled(plane, name, signal)
  const labels = existing?.labels ?? {}
  const codeLabel = hexToLabel(artifact.sha256)
  const sameCode = labels[CODE_LABEL] === codeLabel
  const sameConfig = labels[CONFIG_LABEL] === hexToLabel(request.configHash)
  if (existing && functionState(existing.state) === 'ACTIVE' && sameCode && sameConfig) {
    return { record: toRecord(existing), status: 'unchanged', warnings }
  }
  request.onStep?.(existing ? 'update' : 'create')
  const spec = specOf(request, options, { ...labels, ...cloudfnLabels(artifact.sha256, request.configHash) })
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
  const start = existing
    ? (poll: object) =>
        client.updateFunction(
          {
            function: { ...spec, name: resourceName },
            updateMask: { paths: [...CONFIG_PATHS, ...(needsCode ? CODE_PATHS : [])] },
          },
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
  const deployed = await waitSettled(plane, name, signal)
  if (!deployed || functionState(deployed.state) !== 'ACTIVE') {
    const reasons = (deployed?.stateMessages ?? []).map((m) => m.message).filter(Boolean)
    throw new ProviderError({
      provider: 'gcp',
      isRetryable: false,
      message: `Function '${name}' did not become ACTIVE (${functionState(deployed?.state)})${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
    })
  }
  return { record: toRecord(deployed), status: existing ? 'updated' : 'created', warnings }
}

export async function removeFunction(plane: ControlPlane, name: string): Promise<{ removed: boolean }> {
  const existing = await getFunction(plane, name)
  if (!existing) return { removed: false }
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
