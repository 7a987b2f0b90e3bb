import { ProviderError } from '../../src/errors/provider-error.ts'
import { pollPace } from '../../src/poll-pace.ts'
import { abortableSleep } from '../../src/retry.ts'
import { type AzureContext, lroOptions, untilDone } from './context.ts'
import { armCall, armFind, mapArmError } from './errors.ts'
import { containerName, planName, storageAccountName, TAGS } from './names.ts'

export interface Infrastructure {
  planId: string
  containerUrl: string
  /** Storage connection string (with an account key): app settings only, never logged. */
  connectionString: string
}

const MANAGED = { [TAGS.managed]: 'true' }

async function storageConnectionString(context: AzureContext, account: string, signal: AbortSignal | undefined): Promise<string> {
  const { storage } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  const keys = await armCall('listing the keys', `storage account '${account}'`, () =>
    storage.storageAccounts.listKeys(resourceGroup, account, { abortSignal: signal }),
  )
  // A Read key cannot write queues or packages: take a Full one (KeyPermission is "Read" | "Full").
  const key = keys.keys?.find((entry) => entry.value && entry.permissions?.toLowerCase() === 'full')?.value
  if (!key) throw new Error(`storage account '${account}' has no key with Full permissions`)
  return `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};EndpointSuffix=core.windows.net`
}

/** Polls a storage account until its provisioningState is Succeeded (Creating, ResolvingDNS before). */
async function waitForAccount(context: AzureContext, account: string, signal: AbortSignal | undefined): Promise<void> {
  const { storage } = await context.sdk.clients()
  const { resourceGroup, readyTimeoutMs, pollIntervalMs } = context.settings
  const deadline = Date.now() + readyTimeoutMs
  const pace = pollPace(pollIntervalMs)
  for (;;) {
    const current = await armCall('reading', `storage account '${account}'`, () =>
      storage.storageAccounts.getProperties(resourceGroup, account, { abortSignal: signal }),
    )
    if (current.provisioningState === 'Succeeded') return
    if (Date.now() > deadline) {
      throw new ProviderError({
        provider: 'azure',
        isRetryable: true,
        message: `The storage account '${account}' is still '${current.provisioningState}' after ${readyTimeoutMs} ms; retry the deploy later`,
      })
    }
    await abortableSleep(pace(), signal)
  }
}

/**
 * The resources an app needs before it can be created: the resource group
 * (created when missing, never re-tagged), a storage account for host state
 * and packages, the app's deployment container and its Flex plan. Each step is
 * idempotent, so a retried deploy repeats it safely.
 */
export async function ensureInfrastructure(
  context: AzureContext,
  app: string,
  signal: AbortSignal | undefined,
): Promise<Infrastructure> {
  const { web, storage, resources } = await context.sdk.clients()
  const { resourceGroup, location } = context.settings
  const exists = await armCall('checking', `resource group '${resourceGroup}'`, () =>
    resources.resourceGroups.checkExistence(resourceGroup, { abortSignal: signal }),
  )
  if (!exists.body) {
    await armCall('creating', `resource group '${resourceGroup}'`, () =>
      resources.resourceGroups.createOrUpdate(resourceGroup, { location, tags: MANAGED }, { abortSignal: signal }),
    )
  }
  const account = storageAccountName(context.scope)
  const found = await armFind('reading', `storage account '${account}'`, () =>
    storage.storageAccounts.getProperties(resourceGroup, account, { abortSignal: signal }),
  )
  if (found && found.provisioningState !== 'Succeeded') {
    // Created by a deploy still running (or one that gave up waiting): usable once Succeeded.
    await waitForAccount(context, account, signal)
  } else if (!found) {
    await armCall('creating', `storage account '${account}'`, () =>
      untilDone(
        storage.storageAccounts.create(
          resourceGroup,
          account,
          { location, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, tags: MANAGED },
          lroOptions(context, signal),
        ),
        context,
        signal,
      ),
    )
  }
  const container = containerName(app)
  try {
    await storage.blobContainers.create(resourceGroup, account, container, {}, { abortSignal: signal })
  } catch (error) {
    // Left by an earlier deploy that failed later on: reuse it.
    if ((error as { code?: string }).code !== 'ContainerAlreadyExists')
      throw mapArmError(error, 'creating', `blob container '${container}'`)
  }
  const plan = planName(app)
  const created = await armCall('creating', `Flex Consumption plan '${plan}'`, () =>
    untilDone(
      web.appServicePlans.createOrUpdate(
        resourceGroup,
        plan,
        { location, kind: 'functionapp', sku: { name: 'FC1', tier: 'FlexConsumption' }, reserved: true, tags: MANAGED },
        lroOptions(context, signal),
      ),
      context,
      signal,
    ),
  )
  return {
    planId:
      created.id ??
      `/subscriptions/${context.settings.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Web/serverfarms/${plan}`,
    containerUrl: `https://${account}.blob.core.windows.net/${container}`,
    connectionString: await storageConnectionString(context, account, signal),
  }
}

/** For an app that exists: its plan id and container come from the app itself; only the key is read again. */
export async function existingConnectionString(context: AzureContext, signal: AbortSignal | undefined): Promise<string> {
  return storageConnectionString(context, storageAccountName(context.scope), signal)
}
