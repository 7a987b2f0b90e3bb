import type { Site } from '@azure/arm-appservice'
import { ConflictError } from '../../src/errors/conflict.ts'
import type { PlanChange } from '../../src/plan.ts'
import type { DeployRequest, DeployResponse } from '../../src/provider.ts'
import { instanceMemoryFor } from './capabilities.ts'
import { FUNCTION_NAME_SETTING, formatTimeSpan, STORAGE_SETTING, TIMEOUT_SETTING } from './constants.ts'
import { type AzureContext, lroOptions, untilDone } from './context.ts'
import { armCall, armFind, mapArmError } from './errors.ts'
import { ensureInfrastructure, existingConnectionString, type Infrastructure } from './infrastructure.ts'
import { readFunctionKey } from './keys.ts'
import { appName, functionUrl } from './names.ts'
import { checkRequest, planAgainst } from './plan.ts'
import { type RecordFields, tagsFor, toRecord } from './record.ts'
import { scaleAndConcurrencyOf } from './scale.ts'
import { publishPackage } from './scm.ts'
import { queueAppSettings, syncQueues } from './triggers/queue.ts'
import { syncEventSources, syncTriggers } from './triggers/sync.ts'

function siteDefinition(
  context: AzureContext,
  request: DeployRequest,
  infra: SiteInfrastructure,
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
    [FUNCTION_NAME_SETTING]: request.name,
  }
}

/**
 * Create or update, idempotently: reads the app, plans (plan.ts, as
 * `cloud.plan()` does), then applies the plan's changes: the queues, then
 * the site and its settings (a new app or a configuration change), then the
 * package through OneDeploy and the trigger sync (new code), then a topic
 * subscriber's Event Grid topic, container and event subscription. The cloudfn
 * tags, which say what is deployed, are written last, so a deploy that fails
 * halfway is redone by the next attempt instead of looking done.
 */
export async function deployFunction(
  context: AzureContext,
  request: DeployRequest,
  signal: AbortSignal | undefined,
): Promise<DeployResponse> {
  const artifact = request.artifact
  if (!artifact) throw new Error('the azure provider needs a packaged artifact')
  // Bad options are rejected before the first request, not halfway through the infrastructure.
  checkRequest(request)
  const { web, resources } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  const app = appName(context.scope, request.name)
  const what = `app '${app}'`
  const existing = await armFind('reading', what, () => web.webApps.get(resourceGroup, app, { abortSignal: signal }))
  // Plan, then apply: the changes `cloud.plan()` shows are the ones made here.
  const planned = await planAgainst(context, existing, request, signal)
  const { deployed } = planned.diff
  const envKeys = Object.keys(request.env).sort()
  if (deployed && planned.changes.length === 0)
    return { record: toRecord(deployed, app, envKeys), status: 'unchanged', warnings: planned.warnings }
  const kinds = new Set(planned.changes.map((change) => change.kind))
  request.onStep?.(existing ? 'update' : 'create')
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
  const configures = !existing || kinds.has('update-config')
  if (configures) request.onStep?.('configure')
  // A new app's storage account holds its queues: it is made first.
  const infra = configures ? await infrastructureOf(context, app, existing, signal) : undefined
  // The queue exists before the host starts listening to it; a queue the trigger no longer reads goes.
  if (planned.queues && (kinds.has('create-queue') || kinds.has('delete-queue'))) {
    const queueTrigger = request.trigger?.kind === 'queue' ? request.trigger : undefined
    await syncQueues(context, request.name, queueTrigger, planned.queues, signal)
  }
  if (infra) await configure(context, request, existing, infra, fields, signal)
  if (!existing || kinds.has('update-code')) {
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
    await syncTriggers(context, app, request.trigger, signal)
  }
  // After the host lists the functions: Event Grid checks an event subscription's destination function.
  if (planned.changes.some(isEventSourceChange))
    await syncEventSources(context, app, request.name, request.trigger, deployed?.trigger, signal)
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
  return { record: toRecord(fields, app, envKeys), status: existing ? 'updated' : 'created', warnings: planned.warnings }
}

/**
 * The site with its configuration and settings: on the infrastructure made
 * for a new app, or on the existing app's plan and container (whose settings
 * are then replaced as a whole, so a variable taken away goes).
 */
async function configure(
  context: AzureContext,
  request: DeployRequest,
  existing: Site | undefined,
  infra: SiteInfrastructure,
  fields: RecordFields,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { web } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  const app = appName(context.scope, request.name)
  const what = `app '${app}'`
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
}

type SiteInfrastructure = Omit<Infrastructure, 'planId'> & { planId: string }

/** What the site stands on: made for a new app; an existing app's plan and container, with the storage key read again. */
async function infrastructureOf(
  context: AzureContext,
  app: string,
  existing: Site | undefined,
  signal: AbortSignal | undefined,
): Promise<SiteInfrastructure> {
  if (!existing) return ensureInfrastructure(context, app, signal)
  return {
    planId: existing.serverFarmId ?? '',
    containerUrl: existingContainer(existing),
    connectionString: await existingConnectionString(context, signal),
  }
}

/**
 * A change syncEventSources applies: a topic (custom or system), a subscriber's link to one, its dead-letter
 * container (triggers/topic.ts), or a storage trigger's bucket and link (triggers/storage.ts).
 */
function isEventSourceChange(change: PlanChange): boolean {
  return ['topic:', 'container:', 'bucket:'].some((prefix) => change.resource.startsWith(prefix))
}

function existingContainer(site: Site): string {
  return site.functionAppConfig?.deployment?.storage?.value ?? ''
}
