import { randomBytes } from 'node:crypto'
import { armError, asRecord, asStringMap, badJson, json, readJson } from './http.ts'
import type { LongRunningOperations } from './lro.ts'
import { type AzureState, key, type PlanState, type StorageAccountState } from './state.ts'

export interface ArmContext {
  state: AzureState
  lro: LongRunningOperations
  subscription: string
  resourceGroup: string
  request: Request
}

const FLEX_SKU = 'FC1'

function rgMissing(resourceGroup: string): Response {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`)
}

export function notFound(type: string, name: string, resourceGroup: string): Response {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  )
}

export function requireGroup(context: ArmContext): Response | undefined {
  return context.state.resourceGroups.has(key(context.resourceGroup)) ? undefined : rgMissing(context.resourceGroup)
}

function groupBody(context: ArmContext) {
  const group = context.state.resourceGroups.get(key(context.resourceGroup))
  if (!group) return undefined
  return {
    id: `/subscriptions/${context.subscription}/resourceGroups/${group.name}`,
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    tags: group.tags,
    properties: { provisioningState: 'Succeeded' },
  }
}

export async function resourceGroup(context: ArmContext): Promise<Response> {
  const { state, request } = context
  const id = key(context.resourceGroup)
  if (request.method === 'PUT') {
    const body = await readJson(request)
    if (!body) return badJson()
    if (typeof body.location !== 'string')
      return armError(400, 'LocationRequired', 'The location property is required for this definition.')
    const existed = state.resourceGroups.has(id)
    const current = state.resourceGroups.get(id)
    state.resourceGroups.set(id, {
      name: current?.name ?? context.resourceGroup,
      location: current?.location ?? body.location,
      tags: asStringMap(body.tags),
    })
    return json(groupBody(context), existed ? 200 : 201)
  }
  if (request.method === 'HEAD') return new Response(null, { status: state.resourceGroups.has(id) ? 204 : 404 })
  if (request.method === 'GET') return groupBody(context) ? json(groupBody(context)) : rgMissing(context.resourceGroup)
  return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
}

function accountBody(context: ArmContext, account: StorageAccountState) {
  return {
    id: `/subscriptions/${context.subscription}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account.name}`,
    name: account.name,
    type: 'Microsoft.Storage/storageAccounts',
    location: account.location,
    kind: 'StorageV2',
    tags: account.tags,
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: {
      provisioningState: account.provisioningState ?? 'Succeeded',
      primaryEndpoints: { blob: `https://${account.name}.blob.core.windows.net/` },
    },
  }
}

export async function storageAccount(context: ArmContext, name: string, action: string | undefined): Promise<Response> {
  const { state, request } = context
  const missingGroup = requireGroup(context)
  if (missingGroup) return missingGroup
  const id = key(context.resourceGroup, name)
  const account = state.storageAccounts.get(id)
  if (action === 'listkeys' && request.method === 'POST') {
    if (!account) return notFound('Microsoft.Storage/storageAccounts', name, context.resourceGroup)
    // StorageAccountListKeysResult: permissions is the spec's KeyPermission enum ("Read" | "Full").
    return json({
      keys: account.keys.map((value, index) => ({
        keyName: `key${index + 1}`,
        value,
        permissions: 'Full',
        creationTime: account.keysCreated ?? new Date(0).toISOString(),
      })),
    })
  }
  if (action !== undefined) return armError(404, 'NotFound', 'No such storage account action.')
  if (request.method === 'GET') {
    return account
      ? json(accountBody(context, account))
      : notFound('Microsoft.Storage/storageAccounts', name, context.resourceGroup)
  }
  if (request.method === 'PUT') {
    const body = await readJson(request)
    if (!body) return badJson()
    if (!/^[a-z0-9]{3,24}$/.test(name)) {
      return armError(400, 'AccountNameInvalid', `${name} is not a valid storage account name.`)
    }
    for (const other of state.storageAccounts.values()) {
      if (other.name === name && key(other.resourceGroup) !== key(context.resourceGroup)) {
        return armError(409, 'StorageAccountAlreadyTaken', `The storage account named ${name} is already taken.`)
      }
    }
    if (account) return json(accountBody(context, account))
    const created: StorageAccountState = {
      name,
      resourceGroup: context.resourceGroup,
      location: typeof body.location === 'string' ? body.location : 'westeurope',
      keys: [state.secret('storage'), state.secret('storage')],
      keysCreated: new Date().toISOString(),
      provisioningState: 'Creating',
      containers: new Set(),
      queues: new Map(),
      tags: asStringMap(body.tags),
    }
    // The account exists (GET shows it 'Creating') while the operation runs; it is usable once Succeeded.
    state.storageAccounts.set(id, created)
    return context.lro.start(
      request,
      'location',
      202,
      undefined,
      context.subscription,
      () => {
        created.provisioningState = 'Succeeded'
        return accountBody(context, created)
      },
      () => state.storageAccounts.delete(id),
    )
  }
  if (request.method === 'DELETE') {
    state.storageAccounts.delete(id)
    return new Response(null, { status: account ? 200 : 204 })
  }
  return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
}

/**
 * A container as ARM shows it. Its metadata is the data plane's too (blobs.ts
 * containerInfo), and only Get shows it: the list leaves it out, as the
 * real service was reported to (Azure/azure-sdk-for-net#17717: "always
 * empty when listed", correct from Get), though the spec's ListContainerItem
 * allows it; a caller that reads each container works either way.
 */
function containerBody(context: ArmContext, accountName: string, container: string, withMetadata = true) {
  const { metadata } = context.state.blobs.containerInfo(accountName, container, Date.now())
  return {
    id: `/subscriptions/${context.subscription}/resourceGroups/${context.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${accountName}/blobServices/default/containers/${container}`,
    name: container,
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    properties: { publicAccess: 'None', ...(withMetadata ? { metadata } : {}) },
  }
}

/** `GET .../blobServices/default/containers` of a storage account. */
export function listContainers(context: ArmContext, accountName: string): Response {
  const account = context.state.storageAccounts.get(key(context.resourceGroup, accountName))
  if (!account) return notFound('Microsoft.Storage/storageAccounts', accountName, context.resourceGroup)
  return json({ value: [...account.containers].map((container) => containerBody(context, accountName, container, false)) })
}

/** `GET .../providers/Microsoft.Web/serverfarms` of a resource group. */
export function listServerFarms(context: ArmContext): Response {
  const missingGroup = requireGroup(context)
  if (missingGroup) return missingGroup
  const plans = [...context.state.plans.values()].filter((plan) => key(plan.resourceGroup) === key(context.resourceGroup))
  return json({ value: plans.map((plan) => planBody(context, plan)) })
}

export async function blobContainer(context: ArmContext, accountName: string, container: string): Promise<Response> {
  const { state, request } = context
  const account = state.storageAccounts.get(key(context.resourceGroup, accountName))
  if (!account) return notFound('Microsoft.Storage/storageAccounts', accountName, context.resourceGroup)
  if (request.method === 'PUT') {
    if (account.provisioningState === 'Creating') {
      return armError(
        409,
        'StorageAccountIsNotProvisioned',
        "The storage account provisioning state must be 'Succeeded' before executing the operation.",
      )
    }
    if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){2,62}$/.test(container) || container.endsWith('-')) {
      return armError(400, 'ContainerOperationFailure', 'The specifed resource name contains invalid characters.')
    }
    // Unlike most ARM PUTs, creating a container that exists fails.
    if (account.containers.has(container))
      return armError(409, 'ContainerAlreadyExists', 'The specified container already exists.')
    account.containers.add(container)
    const metadata = asStringMap(asRecord((await readJson(request))?.properties).metadata)
    context.state.blobs.madeContainer(account.name, container, metadata, Date.now())
    return json(containerBody(context, accountName, container), 201)
  }
  if (request.method === 'GET')
    return account.containers.has(container)
      ? json(containerBody(context, accountName, container))
      : armError(404, 'ContainerNotFound', 'The specified container does not exist.')
  if (request.method === 'DELETE') {
    const existed = account.containers.delete(container)
    // Its blobs go with it (blobs.ts).
    context.state.blobs.dropContainer(account.name, container)
    return new Response(null, { status: existed ? 200 : 204 })
  }
  return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
}

export function planBody(context: ArmContext, plan: PlanState) {
  const sites = [...context.state.sites.values()].filter((site) =>
    site.serverFarmId.toLowerCase().endsWith(`/serverfarms/${plan.name.toLowerCase()}`),
  )
  return {
    id: `/subscriptions/${context.subscription}/resourceGroups/${plan.resourceGroup}/providers/Microsoft.Web/serverfarms/${plan.name}`,
    name: plan.name,
    type: 'Microsoft.Web/serverfarms',
    location: plan.location,
    kind: plan.kind,
    tags: plan.tags,
    sku: plan.sku,
    properties: { provisioningState: 'Succeeded', reserved: plan.reserved, numberOfSites: sites.length, status: 'Ready' },
  }
}

export async function serverFarm(context: ArmContext, name: string): Promise<Response> {
  const { state, request } = context
  const missingGroup = requireGroup(context)
  if (missingGroup) return missingGroup
  const id = key(context.resourceGroup, name)
  const plan = state.plans.get(id)
  if (request.method === 'GET')
    return plan ? json(planBody(context, plan)) : notFound('Microsoft.Web/serverFarms', name, context.resourceGroup)
  if (request.method === 'PUT') {
    const body = await readJson(request)
    if (!body) return badJson()
    const sku = asRecord(body.sku)
    const properties = asRecord(body.properties)
    if (typeof sku.name !== 'string') return armError(400, 'BadRequest', 'The parameter sku.name is required.')
    if (sku.name.toUpperCase() === FLEX_SKU && properties.reserved !== true) {
      return armError(400, 'BadRequest', 'Flex Consumption plans must be Linux plans (reserved: true).')
    }
    const next: PlanState = {
      name,
      resourceGroup: context.resourceGroup,
      location: typeof body.location === 'string' ? body.location : (plan?.location ?? 'westeurope'),
      sku: { name: sku.name, tier: typeof sku.tier === 'string' ? sku.tier : undefined },
      reserved: properties.reserved === true,
      kind: typeof body.kind === 'string' ? body.kind : undefined,
      tags: asStringMap(body.tags),
    }
    return context.lro.start(request, 'location', 202, undefined, context.subscription, () => {
      state.plans.set(id, next)
      return planBody(context, next)
    })
  }
  if (request.method === 'DELETE') {
    if (!plan) return new Response(null, { status: 204 })
    if ((planBody(context, plan).properties.numberOfSites ?? 0) > 0) {
      return armError(409, 'Conflict', `Server farm '${name}' cannot be deleted because it has web app(s) assigned to it.`)
    }
    state.plans.delete(id)
    return new Response(null, { status: 200 })
  }
  return armError(405, 'MethodNotAllowed', `${request.method} is not supported here.`)
}

export function randomSecret(bytes = 40): string {
  return randomBytes(bytes).toString('base64')
}
