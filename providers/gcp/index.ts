import { honourSignal } from '../../src/cancellation.ts'
import { type Cloud, createCloud } from '../../src/client.ts'
import { InvalidArgumentError } from '../../src/errors/invalid-argument.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { packageFile } from '../../src/package/package-root.ts'
import type { ProviderV1 } from '../../src/provider.ts'
import { expectPlainObject } from '../../src/validation.ts'
import { GCP_CAPABILITIES } from './capabilities.ts'
import { type ControlPlane, getFunction, listManaged } from './control-plane.ts'
import { deployFunction, PROVIDER_OPTION_KEYS, removeFunction } from './deploy.ts'
import { collectGarbage } from './gc.ts'
import { cachedIdTokens, defaultIdTokenProvider } from './id-token.ts'
import { invokeEndpoint } from './invoke.ts'
import { MIN_FUNCTION_ID_LENGTH } from './names.ts'
import { gcpPackages } from './packages.ts'
import { planDeploy } from './plan.ts'
import { cloudRunBillingRule } from './pricing.ts'
import { lazyProjectNumber } from './project-number.ts'
import { type Endpoint, toEndpoint, toRecord } from './record.ts'
import { lazyRest } from './rest.ts'
import { lazyClient, lazySchedulerClient } from './sdk.ts'
import { checkSettings, type GcpSettings, type ProviderSettings } from './settings.ts'
import { fetchFunction, sendMessage } from './triggers/calls.ts'
import { publishToTopic } from './triggers/topic.ts'

export { GCP_CAPABILITIES } from './capabilities.ts'
export { GCP_CLOUD_RUN_PRICES, type GcpCloudRunPrices } from './pricing.ts'
export type { GcpSettings, IdTokenProvider } from './settings.ts'

/**
 * What the Node.js buildpack needs beside the bundle: `main` names the file
 * the Functions Framework loads, whose `handler` export is the entry point.
 */
const PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'cloudfn-function',
    private: true,
    type: 'module',
    main: 'index.mjs',
    engines: { node: '22' },
    dependencies: { '@google-cloud/functions-framework': '^5.0.5' },
  },
  null,
  2,
)}\n`

export interface GcpProvider extends ProviderV1 {
  readonly project: string
  readonly region: string
}

/** Refused before anything is read or sent, by deploy and plan alike. */
function checkFunctionId(name: string): void {
  if (name.length < MIN_FUNCTION_ID_LENGTH) {
    throw new InvalidArgumentError({
      provider: 'gcp',
      field: 'name',
      message: `name '${name}' is too short for Cloud Functions, whose function IDs have ${MIN_FUNCTION_ID_LENGTH} to 63 characters`,
    })
  }
}

export function createGcpProvider(settings: ProviderSettings): GcpProvider {
  const checked = checkSettings(settings)
  const rest = lazyRest(checked.authClient)
  const plane: ControlPlane = {
    location: { project: checked.project, region: checked.region },
    pollIntervalMs: checked.pollIntervalMs,
    client: lazyClient(checked.authClient, checked.project),
    scheduler: lazySchedulerClient(checked.authClient, checked.project),
    rest,
    projectNumber: lazyProjectNumber(rest, checked.project),
  }
  const idTokens = cachedIdTokens(checked.idTokenProvider ?? defaultIdTokenProvider(checked.authClient))
  // Invokes go straight to the function's URL; the control plane is asked only on a miss.
  const endpoints = new Map<string, Endpoint>()

  const remember = (name: string, endpoint: Endpoint | undefined) => {
    if (endpoint) endpoints.set(name, endpoint)
    else endpoints.delete(name)
  }

  const endpointOf = async (name: string): Promise<Endpoint> => {
    const cached = endpoints.get(name)
    if (cached) return cached
    let fn: Awaited<ReturnType<typeof getFunction>>
    try {
      fn = await getFunction(plane, name)
    } catch (error) {
      // The URL lookup failed before anything reached the function: an invoke may retry it.
      if (ProviderError.isInstance(error) && error.isRetryable && !error.notExecuted) {
        throw new ProviderError({
          provider: 'gcp',
          cause: error,
          message: error.message,
          status: error.status,
          notExecuted: true,
        })
      }
      throw error
    }
    const endpoint = fn && toEndpoint(fn)
    if (!endpoint) {
      throw new NotFoundError({
        provider: 'gcp',
        resource: name,
        message: `Function '${name}' is not deployed on gcp; deploy it first`,
      })
    }
    remember(name, endpoint)
    return endpoint
  }

  // One rule for every provider: an aborted call rejects with CancelledError at once (../../src/cancellation.ts).
  return honourSignal({
    specificationVersion: 'v1',
    name: 'gcp',
    project: checked.project,
    region: checked.region,
    capabilities: GCP_CAPABILITIES,
    billingRule: (record) => cloudRunBillingRule(checked.prices, { memoryMb: record.memoryMb }),
    packaging: { shimPath: packageFile('providers/gcp/shim.ts'), files: { 'package.json': PACKAGE_JSON } },
    providerOptionKeys: PROVIDER_OPTION_KEYS,
    requiredPackages: ({ trigger }) => gcpPackages(trigger, checked),

    async doDeploy(request, options) {
      checkFunctionId(request.name)
      const { response, endpoint } = await deployFunction(plane, request, options.signal)
      remember(request.name, endpoint)
      return response
    },

    async doPlan(request) {
      checkFunctionId(request.name)
      return planDeploy(plane, request)
    },

    async doGet(name) {
      const fn = await getFunction(plane, name)
      remember(name, fn && toEndpoint(fn))
      return fn && toRecord(fn)
    },

    async doList() {
      return (await listManaged(plane)).map(toRecord)
    },

    async doInvoke(request, options) {
      const endpoint = await endpointOf(request.name)
      try {
        return { envelope: await invokeEndpoint(request.name, endpoint, request.payload, idTokens, options.signal) }
      } catch (error) {
        // A stale URL (removed elsewhere) must not stick.
        if (NotFoundError.isInstance(error)) endpoints.delete(request.name)
        throw error
      }
    },

    doFetch(request) {
      return fetchFunction(request, idTokens)
    },

    doSend(request, options) {
      return sendMessage(plane, request, options.signal)
    },

    doPublish(request, options) {
      return publishToTopic(plane, request, options.signal)
    },

    async doRemove(name, options) {
      endpoints.delete(name)
      return removeFunction(plane, name, options.signal)
    },

    doGc(options, callOptions) {
      const { signal } = callOptions
      return collectGarbage(plane, options, (name) => this.doRemove(name, { signal }), signal)
    },
  })
}

/** Google Cloud Functions (2nd gen) behind the neutral API. */
export function gcp(settings: GcpSettings): Cloud {
  const { retry, ...providerSettings } = expectPlainObject(settings, 'settings') as unknown as GcpSettings
  return createCloud(createGcpProvider(providerSettings), retry === undefined ? {} : { retry })
}
