import { honourSignal } from '../../src/cancellation.ts'
import { type Cloud, createCloud } from '../../src/client.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { packageFile } from '../../src/package/package-root.ts'
import type { FunctionRecord, ProviderV1 } from '../../src/provider.ts'
import { expectPlainObject } from '../../src/validation.ts'
import { AWS_CAPABILITIES } from './capabilities.ts'
import { type AwsContext, awsCall, control } from './context.ts'
import { deployFunction } from './deploy.ts'
import { collectGarbage, isCloudfnFunction, listConfigurations } from './gc.ts'
import { invokeAsync, invokeSync } from './invoke.ts'
import { deleteLogGroup, readLogs } from './logs.ts'
import { AWS_OPTION_KEYS, readFunctionOptions } from './options.ts'
import { awsPackages } from './packages.ts'
import { planDeploy } from './plan.ts'
import { type LambdaArchitecture, lambdaBillingRule } from './pricing.ts'
import { decodeDescription, toRecord } from './record.ts'
import { createClients } from './sdk.ts'
import { type AwsSettings, resolveSettings } from './settings.ts'
import { fetchFunction } from './triggers/fetch.ts'
import { sendMessage } from './triggers/send.ts'
import { removeTrigger } from './triggers/sync.ts'
import { publishMessage } from './triggers/topic.ts'
import { readUrl } from './url.ts'
import { getConfiguration } from './wait.ts'

export { AWS_CAPABILITIES, AWS_LIMITS } from './capabilities.ts'
export type { AwsFunctionOptions } from './options.ts'
export { AWS_LAMBDA_PRICES, type AwsLambdaPrices, type LambdaArchitecture } from './pricing.ts'
export type { AwsRuntime, AwsSettings } from './settings.ts'

export interface AwsProvider extends ProviderV1 {
  readonly region: string
}

/**
 * The AWS Lambda provider: speaks Lambda, IAM, CloudWatch Logs, SQS, SNS and
 * EventBridge Scheduler through the official SDK, loaded on first use.
 */
export function createAwsProvider(settings: Omit<AwsSettings, 'retry'>): AwsProvider {
  const resolved = resolveSettings(settings)
  const context: AwsContext = { settings: resolved, clients: createClients(resolved), queueUrls: new Map() }

  // Lambda prices duration by architecture, which a FunctionRecord does not carry: kept from what deploy, get and list saw.
  const architectures = new Map<string, LambdaArchitecture>()

  const withUrl = async (configuration: Parameters<typeof toRecord>[0]): Promise<FunctionRecord> => {
    const name = configuration.FunctionName ?? ''
    architectures.set(name, configuration.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64')
    const http = decodeDescription(configuration.Description)?.trigger?.kind === 'http'
    return toRecord(configuration, http ? await readUrl(context, name) : undefined)
  }

  return honourSignal({
    specificationVersion: 'v1',
    name: 'aws',
    region: resolved.region,
    capabilities: AWS_CAPABILITIES,
    packaging: { shimPath: packageFile('providers/aws/shim.ts') },
    providerOptionKeys: AWS_OPTION_KEYS,
    requiredPackages: ({ trigger }) => awsPackages(trigger),

    async doDeploy(request, options) {
      const response = await deployFunction(context, request, options.signal)
      architectures.set(request.name, readFunctionOptions(request.providerOptions).architecture ?? 'x86_64')
      return response
    },
    doPlan: (request, options) => planDeploy(context, request, options.signal),

    billingRule: (record) =>
      lambdaBillingRule(context.settings.prices, { memoryMb: record.memoryMb, architecture: architectures.get(record.name) }),

    async doGet(name, options) {
      const configuration = await getConfiguration(context, name, options.signal)
      return configuration ? withUrl(configuration) : undefined
    },

    async doList(options) {
      const configurations = await listConfigurations(context, options.signal)
      return Promise.all(configurations.filter(isCloudfnFunction).map(withUrl))
    },

    doInvoke: (request, options) => invokeSync(context, request, options.signal),
    doInvokeAsync: (request, options) => invokeAsync(context, request, options.signal),
    doLogs: (request, options) => readLogs(context, request, options.signal),

    doFetch: (request) => fetchFunction(context, request),
    doSend: (request, options) => sendMessage(context, request, options.signal),
    doPublish: (request, options) => publishMessage(context, request, options.signal),

    async doRemove(name, options) {
      const { client, sdk } = await context.clients.lambda()
      let removed = true
      // What starts the function goes first, while its description still says what that is.
      const configuration = await getConfiguration(context, name, options.signal)
      if (configuration) await removeTrigger(context, name, decodeDescription(configuration.Description)?.trigger)
      try {
        // Deleting the function deletes its URL configuration too.
        await awsCall(control('remove', name), () =>
          client.send(new sdk.DeleteFunctionCommand({ FunctionName: name }), { abortSignal: options.signal }),
        )
      } catch (error) {
        if (!NotFoundError.isInstance(error)) throw error
        removed = false
      }
      await deleteLogGroup(context, name)
      return { removed }
    },

    doGc(options, callOptions) {
      return collectGarbage(context, options, (name) => this.doRemove(name, callOptions), callOptions.signal)
    },
  })
}

/**
 * AWS Lambda behind the neutral API.
 *
 * ```ts
 * const cloud = aws({ region: 'eu-west-1' })
 * const fn = await cloud.deploy(resize)
 * ```
 */
export function aws(settings: AwsSettings): Cloud {
  const { retry, ...providerSettings } = expectPlainObject(settings, 'settings') as unknown as AwsSettings
  return createCloud(createAwsProvider(providerSettings), retry === undefined ? {} : { retry })
}
