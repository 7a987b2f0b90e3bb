import type { Site } from '@azure/arm-appservice'
import { ConflictError } from '../../src/errors/conflict.ts'
import { ProviderError } from '../../src/errors/provider-error.ts'
import { pollPace } from '../../src/poll-pace.ts'
import type { DeployRequest, DeployResponse, Warning } from '../../src/provider.ts'
import { abortableSleep } from '../../src/retry.ts'
import { instanceMemoryFor } from './capabilities.ts'
import { EXTENSION_BUNDLE, formatTimeSpan, functionsFor, STORAGE_SETTING, TIMEOUT_SETTING } from './constants.ts'
import { type AzureContext, lroOptions, untilDone } from './context.ts'
import { armCall, armFind, mapArmError } from './errors.ts'
import { hostStatusReader } from './host-status.ts'
import { ensureInfrastructure, existingConnectionString, type Infrastructure } from './infrastructure.ts'
import { readFunctionKey } from './keys.ts'
import { appName, functionUrl } from './names.ts'
import { fieldsFromSite, type RecordFields, tagsFor, toRecord } from './record.ts'
import { scaleAndConcurrencyOf } from './scale.ts'
import { publishPackage } from './scm.ts'
import { checkQueueOwners, checkQueueTrigger, listCloudfnQueues, queueAppSettings, syncQueues } from './triggers/queue.ts'

function siteDefinition(
  context: AzureContext,
  request: DeployRequest,
  infra: Omit<Infrastructure, 'planId'> & { planId: string },
  tags: Record<string, string>,
): Site {
  const { instanceMemoryMB } = instanceMemoryFor(request.memoryMb)
  return {
    location: context.settings.location,
    kind: 'functionapp,linux',
    tags,
    serverFarmId: infra.planId,
    reserved: true,
    httpsOnly: true,
    siteConfig: {
      appSettings: Object.entries(appSettings(request, infra.connectionString)).map(([name, value]) => ({ name, value })),
      minTlsVersion: '1.2',
    },
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer',
          value: infra.containerUrl,
          authentication: { type: 'StorageAccountConnectionString', storageAccountConnectionStringName: STORAGE_SETTING },
        },
      },
      runtime: { name: 'node', version: '22' },
      scaleAndConcurrency: { instanceMemoryMB, ...scaleAndConcurrencyOf(request.scale, request.providerOptions) },
    },
  }
}

function appSettings(request: DeployRequest, connectionString: string): Record<string, string> {
  const trigger = request.trigger?.kind === 'queue' ? queueAppSettings(request.trigger, request.name) : {}
  return {
    ...request.env,
    ...trigger,
    [STORAGE_SETTING]: connectionString,
    [TIMEOUT_SETTING]: formatTimeSpan(request.timeoutSec),
  }
}

/**
 * Waits until ARM lists every function of the app (the host has loaded the
 * new package). A function the host puts in error is never listed: a queue
 * trigger without the extension bundle, or a package that throws while it
 * loads, so the deploy fails naming what is missing instead of reporting a
 * trigger that will never run.
 */
async function waitForFunctions(
  context: AzureContext,
  app: string,
  expected: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const { web } = await context.sdk.clients()
  const { resourceGroup, readyTimeoutMs, pollIntervalMs } = context.settings
  const deadline = Date.now() + readyTimeoutMs
  const hostStatus = hostStatusReader(context, app, signal)
  const pace = pollPace(pollIntervalMs)
  for (;;) {
    const names: string[] = []
    await armCall('listing the functions', `app '${app}'`, async () => {
      // ARM names a function `APP/NAME`.
      for await (const fn of web.webApps.listFunctions(resourceGroup, app, { abortSignal: signal })) {
        names.push((fn.name ?? '').split('/').at(-1) ?? '')
      }
    })
    const missing = expected.filter((name) => !names.some((listed) => listed.toLowerCase() === name.toLowerCase()))
    if (missing.length === 0) return
    // A host that lists nothing may be in error (the package failed to load): its status says why, no need to wait.
    const status = names.length === 0 ? await hostStatus() : undefined
    if (status?.state === 'Error') {
      throw new ProviderError({
        provider: 'azure',
        isRetryable: false,
        message: `The app '${app}' was deployed but its host is in error: ${(status.errors ?? []).join('; ') || 'no reason given'}`,
      })
    }
    if (Date.now() > deadline) {
      throw new ProviderError({
        provider: 'azure',
        isRetryable: false,
        message: `The app '${app}' was deployed but its host did not list the function${missing.length > 1 ? 's' : ''} ${missing.map((name) => `'${name}'`).join(', ')} within ${readyTimeoutMs} ms. The host leaves out a function it cannot load: a queue trigger needs host.json's extensionBundle (${EXTENSION_BUNDLE.id}), and a package that fails while loading lists nothing (see the app's logs)`,
      })
    }
    await abortableSleep(pace(), signal)
  }
}

/**
 * `POST .../syncfunctiontriggers`. The REST spec (and so `@azure/arm-appservice`)
 * expects 204, but the real service answers 200 (Azure/azure-rest-api-specs#1275,
 * Azure/azure-sdk-for-js#16996, Azure/azure-sdk-for-net#37918), on which the SDK
 * throws (its error deserializer fails on the empty body). The raw status
 * decides: any 2xx is a success.
 */
export async function syncFunctionTriggers(context: AzureContext, app: string, signal: AbortSignal | undefined): Promise<void> {
  const { web } = await context.sdk.clients()
  let status: number | undefined
  try {
    await web.webApps.syncFunctionTriggers(context.settings.resourceGroup, app, {
      abortSignal: signal,
      onResponse: (response) => {
        status = response.status
      },
    })
  } catch (error) {
    if (status !== undefined && status >= 200 && status < 300) return
    throw error
  }
}

/**
 * Creates or updates the function's app: infrastructure on first deploy, the
 * site with its configuration and settings, then (when the code changed) the
 * package through OneDeploy, trigger sync and the wait for the function. The
 * cloudfn tags, which say what is deployed, are written last, so a deploy
 * that fails halfway is redone by the next attempt instead of looking done.
 */
export async function deployFunction(
  context: AzureContext,
  request: DeployRequest,
  signal: AbortSignal | undefined,
): Promise<DeployResponse> {
  const artifact = request.artifact
  if (!artifact) throw new Error('the azure provider needs a packaged artifact')
  // Bad options are rejected before the first request, not halfway through the infrastructure.
  scaleAndConcurrencyOf(request.scale, request.providerOptions)
  if (request.trigger?.kind === 'queue') checkQueueTrigger(request.trigger, request.name)
  const { web, resources } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  const app = appName(context.scope, request.name)
  const what = `app '${app}'`
  const { warning } = instanceMemoryFor(request.memoryMb)
  const warnings: Warning[] = warning ? [warning] : []
  const existing = await armFind('reading', what, () => web.webApps.get(resourceGroup, app, { abortSignal: signal }))
  const deployed = existing && fieldsFromSite(existing)
  if (existing && !deployed && !existing.tags?.[`cloudfn:managed`]) {
    throw new ConflictError({
      provider: 'azure',
      isRetryable: false,
      message: `An app named '${app}' exists in '${resourceGroup}' but was not created by cloudfn; remove it or deploy under another name`,
    })
  }
  const envKeys = Object.keys(request.env).sort()
  if (deployed && deployed.codeHash === artifact.sha256 && deployed.configHash === request.configHash) {
    return { record: toRecord(deployed, app, envKeys), status: 'unchanged', warnings }
  }
  const queueTrigger = request.trigger?.kind === 'queue' ? request.trigger : undefined
  // Read before anything changes, so a queue another function owns refuses the deploy untouched.
  const queues = queueTrigger || deployed?.trigger?.kind === 'queue' ? await listCloudfnQueues(context, signal) : undefined
  if (queueTrigger && queues) checkQueueOwners(queues, queueTrigger, request.name)
  request.onStep?.(existing ? 'update' : 'create')
  request.onStep?.('configure')
  const infra = existing
    ? {
        planId: existing.serverFarmId ?? '',
        containerUrl: existingContainer(existing),
        connectionString: await existingConnectionString(context, signal),
      }
    : await ensureInfrastructure(context, app, signal)
  const fields: RecordFields = {
    name: request.name,
    memoryMb: request.memoryMb,
    timeoutSec: request.timeoutSec,
    // Until the package is live the tags keep naming the code that runs.
    codeHash: deployed?.codeHash ?? '',
    configHash: request.configHash,
    updatedAt: new Date().toISOString(),
    trigger: request.trigger,
  }
  // The queue exists before the host starts listening to it; a queue the trigger no longer reads goes.
  if (queues) await syncQueues(context, request.name, queueTrigger, queues, signal)
  try {
    await untilDone(
      web.webApps.createOrUpdate(
        resourceGroup,
        app,
        siteDefinition(context, request, infra, tagsFor(fields)),
        lroOptions(context, signal),
      ),
      context,
      signal,
    )
  } catch (error) {
    const mapped = mapArmError(error, existing ? 'updating' : 'creating', what)
    if (!existing && ConflictError.isInstance(mapped) && /already exists/i.test(mapped.message)) {
      throw new ConflictError({
        provider: 'azure',
        isRetryable: false,
        cause: error,
        message: `The app name '${app}' is taken elsewhere in Azure (app names are global); deploy under another name`,
      })
    }
    throw mapped
  }
  if (existing) {
    await armCall('updating the settings of', what, () =>
      web.webApps.updateApplicationSettings(
        resourceGroup,
        app,
        { properties: appSettings(request, infra.connectionString) },
        { abortSignal: signal },
      ),
    )
  }
  if (deployed?.codeHash !== artifact.sha256) {
    request.onStep?.('upload')
    await publishPackage({
      app,
      zip: artifact.zip,
      token: () => context.sdk.armToken(signal),
      pollIntervalMs: context.settings.pollIntervalMs,
      timeoutMs: context.settings.readyTimeoutMs,
      signal,
    })
    request.onStep?.('wait')
    await armCall('syncing the triggers of', what, () => syncFunctionTriggers(context, app, signal))
    await waitForFunctions(context, app, functionsFor(request.trigger), signal)
  }
  const key = await readFunctionKey(context, app, signal)
  fields.codeHash = artifact.sha256
  await armCall('tagging', what, () =>
    resources.tagsOperations.beginUpdateAtScopeAndWait(
      `/subscriptions/${context.settings.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Web/sites/${app}`,
      { operation: 'Merge', properties: { tags: tagsFor(fields) } },
      { updateIntervalInMs: context.settings.pollIntervalMs, abortSignal: signal },
    ),
  )
  context.invoker.remember(request.name, { url: functionUrl(app), key, timeoutSec: request.timeoutSec })
  return { record: toRecord(fields, app, envKeys), status: existing ? 'updated' : 'created', warnings }
}

function existingContainer(site: Site): string {
  return site.functionAppConfig?.deployment?.storage?.value ?? ''
}
