/**
 * gc on Azure. Each cloudfn function is an app (tagged `cloudfn:*`) with its
 * own Flex plan (tagged `cloudfn:managed`, named `<app>-plan`) and deployment
 * container (`app-package-<app>`) in cloudfn's storage account (tagged). A
 * deploy creates the container and plan before the app, so one that crashed
 * in between leaves a plan or container without its app: gc removes those,
 * cloudfn-tagged queues whose app is gone (ARM gives a queue no change time,
 * so only with olderThanMs 0), storage triggers' leftovers (triggers/storage.ts), and
 * the storage account once no app and no bucket is left in it.
 * The resource group is the user's: gc never deletes it.
 */
import type { Site } from '@azure/arm-appservice'
import { collect, functionCandidate, type GcCandidate, selectCollectable } from '../../src/gc.ts'
import type { GcOptions, GcResult } from '../../src/provider.ts'
import type { AzureContext } from './context.ts'
import { armCall, armFind } from './errors.ts'
import { appName, containerName, planName, storageAccountName, TAGS } from './names.ts'
import { fieldsFromSite, toRecord } from './record.ts'
import { deleteQueue, listCloudfnQueues } from './triggers/queue.ts'
import { isAccountContainer, storageLeftovers } from './triggers/storage.ts'
import { topicLeftovers } from './triggers/topic.ts'

const isManaged = (tags: Record<string, string> | undefined) => tags?.[TAGS.managed] === 'true'
const iso = (date: Date | undefined) => date?.toISOString()

async function listAll<T>(what: string, pages: () => AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  await armFind('listing', what, async () => {
    for await (const item of pages()) items.push(item)
    return true
  })
  return items
}

/** The apps cloudfn deployed (tags and name agree) as function candidates. */
function appCandidates(context: AzureContext, sites: Site[], remove: (name: string) => Promise<unknown>) {
  return sites.flatMap((site) => {
    const fields = fieldsFromSite(site)
    if (!fields || site.name !== appName(context.scope, fields.name)) return []
    const record = toRecord(fields, site.name, [])
    const changedAt = record.updatedAt || iso(site.lastModifiedTimeUtc)
    return [{ app: site.name, candidate: { ...functionCandidate(record, remove), changedAt } }]
  })
}

export async function collectGarbage(
  context: AzureContext,
  options: GcOptions,
  remove: (name: string) => Promise<unknown>,
  signal: AbortSignal | undefined,
): Promise<GcResult> {
  const { web, storage } = await context.sdk.clients()
  const { resourceGroup } = context.settings
  const group = `resource group '${resourceGroup}'`
  const sites = await listAll(`the apps of ${group}`, () =>
    web.webApps.listByResourceGroup(resourceGroup, { abortSignal: signal }),
  )
  const apps = appCandidates(context, sites, remove)
  const going = new Set(
    selectCollectable(
      apps.map((entry) => entry.candidate),
      options,
    ),
  )
  // Any app that stays, cloudfn's or not, keeps the plan and container of its name.
  const staying = new Set(
    sites.map((site) => site.name ?? '').filter((name) => !apps.some((a) => a.app === name && going.has(a.candidate))),
  )
  const candidates: GcCandidate[] = apps.map((entry) => entry.candidate)

  const plans = await listAll(`the plans of ${group}`, () =>
    web.appServicePlans.listByResourceGroup(resourceGroup, { abortSignal: signal }),
  )
  for (const plan of plans) {
    const name = plan.name ?? ''
    if (!isManaged(plan.tags) || !name.endsWith('-plan')) continue
    const app = name.slice(0, -'-plan'.length)
    if (planName(app) !== name) continue
    candidates.push({
      resource: `plan:${name}`,
      // ARM's systemData says when; without it the plan is collected only with olderThanMs 0.
      changedAt: iso(plan.systemData?.lastModifiedAt ?? plan.systemData?.createdAt),
      unused: !staying.has(app),
      remove: () =>
        armCall('deleting', `plan '${name}'`, () => web.appServicePlans.delete(resourceGroup, name, { abortSignal: signal })),
    })
  }

  const account = storageAccountName(context.scope)
  const found = await armFind('reading', `storage account '${account}'`, () =>
    storage.storageAccounts.getProperties(resourceGroup, account, { abortSignal: signal }),
  )
  if (found && isManaged(found.tags)) {
    const containers = await listAll(`the containers of '${account}'`, () =>
      storage.blobContainers.list(resourceGroup, account, { abortSignal: signal }),
    )
    for (const container of containers) {
      const name = container.name ?? ''
      const app = name.replace(/^app-package-/, '')
      if (!name.startsWith('app-package-cf-') || containerName(app) !== name) continue
      candidates.push({
        resource: `container:${name}`,
        changedAt: iso(container.lastModifiedTime),
        unused: !staying.has(app),
        remove: () =>
          armFind('deleting', `container '${name}'`, () =>
            storage.blobContainers.delete(resourceGroup, account, name, { abortSignal: signal }),
          ),
      })
    }
    // Topic subscribers' dead-letter containers and topics no subscriber is left on (triggers/topic.ts).
    const containerNames = containers.map((container) => container.name ?? '')
    candidates.push(...(await topicLeftovers(context, containerNames, (app) => staying.has(app), signal)))
    // Storage subscribers' event subscriptions, the system topic and empty buckets cloudfn made (triggers/storage.ts).
    candidates.push(...(await storageLeftovers(context, containerNames, (app) => staying.has(app), signal)))
    // A queue outlives its app when a remove stopped between the two.
    for (const queue of await listCloudfnQueues(context, signal)) {
      candidates.push({
        resource: `queue:${queue.name}`,
        changedAt: undefined,
        unused: !staying.has(appName(context.scope, queue.functionName)),
        remove: () => deleteQueue(context, queue.name, signal),
      })
    }
    // Shared by every app of the group: it goes once no cloudfn app stays, and no bucket (a storage trigger's
    // container, the user's or one holding blobs) is left in it: gc never deletes a bucket with the account.
    candidates.push({
      resource: `storage-account:${account}`,
      changedAt: iso(found.creationTime),
      unused: !apps.some((entry) => !going.has(entry.candidate)) && containerNames.every(isAccountContainer),
      remove: () =>
        armFind('deleting', `storage account '${account}'`, () =>
          storage.storageAccounts.delete(resourceGroup, account, { abortSignal: signal }),
        ),
    })
  }
  return collect(candidates, options)
}
