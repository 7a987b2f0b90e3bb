/**
 * Azure Functions on the Flex Consumption plan. One function app (with its
 * own plan and deployment container) per cloudfn function; code goes up with
 * OneDeploy, calls go to `https://APP.azurewebsites.net/api/cloudfn` with the
 * function's key. The ARM SDKs load on the first control-plane call.
 */

import { honourSignal } from '../../src/cancellation.ts'
import { type Cloud, createCloud } from '../../src/client.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { packageFile } from '../../src/package/package-root.ts'
import type { FunctionRecord, ProviderV1 } from '../../src/provider.ts'
import { expectPlainObject } from '../../src/validation.ts'
import { AZURE_CAPABILITIES, instanceMemoryFor } from './capabilities.ts'
import { EXTENSION_BUNDLE } from './constants.ts'
import type { AzureContext } from './context.ts'
import { deployFunction } from './deploy.ts'
import { armCall, armFind } from './errors.ts'
import { collectGarbage } from './gc.ts'
import { Invoker } from './invoke.ts'
import { readFunctionKey } from './keys.ts'
import { appName, containerName, functionUrl, storageAccountName } from './names.ts'
import { azurePackages } from './packages.ts'
import { planDeploy } from './plan.ts'
import { flexBillingRule } from './pricing.ts'
import { fieldsFromSite, toRecord, userEnvKeys } from './record.ts'
import { AzureSdk } from './sdk.ts'
import { type AzureSettings, checkSettings, type ProviderSettings } from './settings.ts'
import { deleteQueuesOf, sendMessage } from './triggers/queue.ts'
import { leaveStorage } from './triggers/storage.ts'
import { leaveTopic, publishToTopic } from './triggers/topic.ts'

export { AZURE_CAPABILITIES, instanceMemoryFor } from './capabilities.ts'
export { AZURE_FLEX_PRICES, type AzureFlexPrices } from './pricing.ts'
export type { AzureSettings } from './settings.ts'

/**
 * Runtime files of every package: the v4 Node model loads `main` as an ES
 * module. The empty route prefix lets an HTTP function own the app's root;
 * the envelope endpoint keeps `/api/cloudfn` through its own route. The
 * extension bundle brings the storage-queue trigger.
 */
const PACKAGE_FILES = {
  'host.json': JSON.stringify({ version: '2.0', extensionBundle: EXTENSION_BUNDLE, extensions: { http: { routePrefix: '' } } }),
  'package.json': JSON.stringify({ name: 'cloudfn-app', private: true, main: 'index.mjs', type: 'module' }),
}

export interface AzureProvider extends ProviderV1 {
  readonly subscriptionId: string
  readonly resourceGroup: string
}

export function createAzureProvider(settings: ProviderSettings): AzureProvider {
  const checked = checkSettings(settings)
  const sdk = new AzureSdk(checked)
  const scope = { subscriptionId: checked.subscriptionId, resourceGroup: checked.resourceGroup }
  const context: AzureContext = {
    settings: checked,
    scope,
    sdk,
    invoker: new Invoker(async (name, signal) => {
      const app = appName(scope, name)
      const site = await siteOf(name, signal)
      if (!site) throw notDeployed(name)
      return { url: functionUrl(app), key: await readFunctionKey(context, app, signal), timeoutSec: site.fields.timeoutSec }
    }),
  }
  const { resourceGroup } = checked

  const notDeployed = (name: string) =>
    new NotFoundError({
      provider: 'azure',
      resource: name,
      message: `Function '${name}' is not deployed on azure; deploy it first`,
    })

  /** The cloudfn app of that function name, when there is one. */
  async function siteOf(name: string, signal: AbortSignal | undefined) {
    const { web } = await sdk.clients()
    const app = appName(scope, name)
    const site = await armFind('reading', `app '${app}'`, () => web.webApps.get(resourceGroup, app, { abortSignal: signal }))
    const fields = site && fieldsFromSite(site)
    return fields && fields.name === name ? { app, fields } : undefined
  }

  async function recordOf(app: string, fields: NonNullable<ReturnType<typeof fieldsFromSite>>, signal: AbortSignal | undefined) {
    const { web } = await sdk.clients()
    const settings = await armCall('reading the settings of', `app '${app}'`, () =>
      web.webApps.listApplicationSettings(resourceGroup, app, { abortSignal: signal }),
    )
    return toRecord(fields, app, userEnvKeys(settings.properties ?? {}))
  }

  return honourSignal({
    specificationVersion: 'v1',
    name: 'azure',
    subscriptionId: checked.subscriptionId,
    resourceGroup,
    capabilities: AZURE_CAPABILITIES,
    // Flex bills the instance's memory, the size deploy picked for the function's memoryMb.
    billingRule: (record) =>
      flexBillingRule(checked.prices, { instanceMemoryMb: instanceMemoryFor(record.memoryMb).instanceMemoryMB }),
    packaging: {
      shimPath: packageFile('providers/azure/shim.ts'),
      files: PACKAGE_FILES,
      external: ['@azure/functions-core'],
      // Microsoft's own production build of the library (the one it publishes beside the full one).
      minifiedBuilds: { '@azure/functions': 'dist/azure-functions.min.js' },
    },
    providerOptionKeys: ['maximumInstanceCount'],
    requiredPackages: ({ trigger }) => azurePackages(trigger, checked),

    doDeploy: (request, options) => deployFunction(context, request, options.signal),
    doPlan: (request, options) => planDeploy(context, request, options.signal),

    async doGet(name, options) {
      const found = await siteOf(name, options.signal)
      return found && recordOf(found.app, found.fields, options.signal)
    },

    async doList(options) {
      const { web } = await sdk.clients()
      const records: FunctionRecord[] = []
      const apps: Array<{ app: string; fields: NonNullable<ReturnType<typeof fieldsFromSite>> }> = []
      const listed = await armFind('listing the apps of', `resource group '${resourceGroup}'`, async () => {
        for await (const site of web.webApps.listByResourceGroup(resourceGroup, { abortSignal: options.signal })) {
          const fields = fieldsFromSite(site)
          if (fields && site.name === appName(scope, fields.name)) apps.push({ app: site.name, fields })
        }
        return true
      })
      if (!listed) return []
      for (const { app, fields } of apps) records.push(await recordOf(app, fields, options.signal))
      return records
    },

    async doInvoke(request, options) {
      return { envelope: await context.invoker.invoke(request.name, request.payload, options.signal) }
    },

    doFetch({ record, request }, options) {
      if (record.trigger?.kind === 'http' && record.trigger.auth === 'key') {
        return context.invoker.fetchWithKey(record.name, request, options.signal)
      }
      // A redirect comes back as it is, as from a keyed function.
      return fetch(request, { redirect: 'manual' })
    },

    doSend: (request, options) => sendMessage(context, request, options.signal),
    doPublish: (request, options) => publishToTopic(context, request, options.signal),

    async doRemove(name, options) {
      const { web, storage } = await sdk.clients()
      context.invoker.forget(name)
      const found = await siteOf(name, options.signal)
      if (!found) return { removed: false }
      const what = `app '${found.app}'`
      const { trigger } = found.fields
      // Its event subscription goes before the app, so Event Grid stops delivering to it (and the last one out takes the topic).
      if (trigger?.kind === 'topic') await leaveTopic(context, found.app, name, trigger.name, options.signal)
      // Likewise a storage subscriber's (and the last one out takes the bucket and system topic cloudfn made).
      if (trigger?.kind === 'storage') await leaveStorage(context, name, trigger, options.signal)
      // The app goes first, so its host stops reading the queues before they are deleted.
      const removed = await armFind('deleting', what, async () => {
        // Flex hosts one app per plan: the emptied plan goes with it.
        await web.webApps.delete(resourceGroup, found.app, { deleteEmptyServerFarm: true, abortSignal: options.signal })
        return true
      })
      await armFind('deleting the deployment container of', what, () =>
        storage.blobContainers.delete(resourceGroup, storageAccountName(scope), containerName(found.app), {
          abortSignal: options.signal,
        }),
      )
      // By their metadata: a queue of that name another function owns stays.
      if (trigger?.kind === 'queue') await deleteQueuesOf(context, name, options.signal)
      return { removed: removed === true }
    },

    doGc(options, callOptions) {
      return collectGarbage(context, options, (name) => this.doRemove(name, callOptions), callOptions.signal)
    },
  })
}

/** Azure Functions (Flex Consumption) behind the neutral API. */
export function azure(settings: AzureSettings): Cloud {
  const { retry, ...providerSettings } = expectPlainObject(settings, 'settings') as unknown as AzureSettings
  return createCloud(createAzureProvider(providerSettings), retry === undefined ? {} : { retry })
}
