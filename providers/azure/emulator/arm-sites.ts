import { type ArmContext, notFound, requireGroup } from './arm-resources.ts'
import { armError, asRecord, asStringMap, badJson, json, readJson } from './http.ts'
import type { FunctionRegistration } from './protocol.ts'
import { type AzureState, key, type SiteState } from './state.ts'

const SITE_TYPE = 'Microsoft.Web/sites'
const FLEX_MEMORY = [512, 2048, 4096]

function siteId(context: ArmContext, site: SiteState): string {
  return `/subscriptions/${context.subscription}/resourceGroups/${site.resourceGroup}/providers/${SITE_TYPE}/${site.name}`
}

function siteBody(context: ArmContext, site: SiteState) {
  return {
    id: siteId(context, site),
    name: site.name,
    type: SITE_TYPE,
    kind: site.kind,
    location: site.location,
    tags: site.tags,
    properties: {
      name: site.name,
      state: 'Running',
      hostNames: [`${site.name}.azurewebsites.net`],
      enabledHostNames: [`${site.name}.azurewebsites.net`, `${site.name}.scm.azurewebsites.net`],
      defaultHostName: `${site.name}.azurewebsites.net`,
      serverFarmId: site.serverFarmId,
      reserved: true,
      httpsOnly: true,
      resourceGroup: site.resourceGroup,
      functionAppConfig: site.functionAppConfig,
      // ARM never returns app settings with the site.
      siteConfig: { appSettings: null, numberOfWorkers: 1 },
      lastModifiedTimeUtc: site.lastModified,
      provisioningState: 'Succeeded',
    },
  }
}

/** A new configuration or new settings restart the app: running instances are replaced. */
export function restart(site: SiteState): void {
  const runtime = site.runtime
  site.runtime = undefined
  // A runtime that failed to start has nothing to retire (its failure was answered to the request that met it);
  // left unhandled, the rejection would end a test run that never awaited it.
  void runtime?.then(
    (running) =>
      running
        .retire()
        .catch((error: unknown) =>
          process.emitWarning(`Retiring the app's instances failed: ${String(error)}`, 'CloudfnEmulatorWarning'),
        ),
    () => undefined,
  )
}

/** What ARM checks on a Flex Consumption site; undefined when valid. */
function validateFlexConfig(
  context: ArmContext,
  config: Record<string, unknown>,
  settings: Record<string, string>,
): Response | undefined {
  const runtime = asRecord(config.runtime)
  if (typeof runtime.name !== 'string' || typeof runtime.version !== 'string') {
    return armError(400, 'BadRequest', 'FunctionAppConfig.Runtime.Name and FunctionAppConfig.Runtime.Version are required.')
  }
  const scale = asRecord(config.scaleAndConcurrency)
  if (scale.instanceMemoryMB !== undefined && !FLEX_MEMORY.includes(scale.instanceMemoryMB as number)) {
    return armError(400, 'BadRequest', `InstanceMemoryMB must be one of ${FLEX_MEMORY.join(', ')}.`)
  }
  const max = scale.maximumInstanceCount
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 1000)) {
    return armError(400, 'BadRequest', 'MaximumInstanceCount must be between 1 and 1000.')
  }
  const storage = asRecord(asRecord(config.deployment).storage)
  const match = /^https:\/\/([a-z0-9]+)\.blob\.core\.windows\.net\/([a-z0-9-]+)\/?$/.exec(String(storage.value ?? ''))
  if (!match) return armError(400, 'BadRequest', 'FunctionAppConfig.Deployment.Storage.Value must be a blob container URL.')
  const [, accountName = '', container = ''] = match
  const account = [...context.state.storageAccounts.values()].find((candidate) => candidate.name === accountName)
  if (!account?.containers.has(container)) {
    return armError(400, 'BadRequest', `The deployment storage container '${container}' was not found in '${accountName}'.`)
  }
  const auth = asRecord(storage.authentication)
  if (auth.type === 'StorageAccountConnectionString') {
    const setting = String(auth.storageAccountConnectionStringName ?? '')
    if (!settings[setting])
      return armError(400, 'BadRequest', `The app setting '${setting}' named by the deployment storage does not exist.`)
  } else if (auth.type !== 'SystemAssignedIdentity' && auth.type !== 'UserAssignedIdentity') {
    return armError(400, 'BadRequest', 'FunctionAppConfig.Deployment.Storage.Authentication.Type is invalid.')
  }
  if ('FUNCTIONS_WORKER_RUNTIME' in settings) {
    return armError(
      400,
      'BadRequest',
      'FUNCTIONS_WORKER_RUNTIME is not a valid app setting for Flex Consumption apps; use functionAppConfig.runtime.',
    )
  }
  return undefined
}

function settingsFromSiteConfig(siteConfig: Record<string, unknown>): Record<string, string> | undefined {
  if (!Array.isArray(siteConfig.appSettings)) return undefined
  const settings: Record<string, string> = {}
  for (const entry of siteConfig.appSettings) {
    const pair = asRecord(entry)
    if (typeof pair.name === 'string') settings[pair.name] = String(pair.value ?? '')
  }
  return settings
}

async function putSite(context: ArmContext, name: string, existing: SiteState | undefined): Promise<Response> {
  const { state, request } = context
  const body = await readJson(request)
  if (!body) return badJson()
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/.test(name)) {
    return armError(400, 'InvalidResourceName', `The site name '${name}' is invalid.`)
  }
  if (!existing && (state.foreignSiteNames.has(name.toLowerCase()) || state.site(name))) {
    return armError(409, 'Conflict', `Website with given name ${name} already exists.`)
  }
  const properties = asRecord(body.properties)
  const serverFarmId = String(properties.serverFarmId ?? '')
  const planName = /\/serverfarms\/([^/]+)$/i.exec(serverFarmId)?.[1] ?? ''
  const plan = [...state.plans.values()].find((candidate) => candidate.name.toLowerCase() === planName.toLowerCase())
  if (!plan) return armError(404, 'NotFound', `Cannot find ServerFarm with name ${planName}.`)
  const settings = settingsFromSiteConfig(asRecord(properties.siteConfig)) ?? existing?.appSettings ?? {}
  const config = asRecord(properties.functionAppConfig)
  if (plan.sku.name?.toUpperCase() === 'FC1') {
    const invalid = validateFlexConfig(context, config, settings)
    if (invalid) return invalid
  }
  const now = new Date().toISOString()
  const apply = () => {
    const current = state.site(name)
    const site: SiteState = current ?? {
      name,
      resourceGroup: context.resourceGroup,
      location: String(body.location ?? plan.location),
      kind: String(body.kind ?? 'functionapp,linux'),
      tags: {},
      serverFarmId,
      functionAppConfig: {},
      appSettings: {},
      masterKey: state.secret('masterKey'),
      hostKey: state.secret('hostKey'),
      functionKeys: new Map(),
      deployments: [],
      app: undefined,
      listedFunctions: [],
      runtime: undefined,
      createdAt: now,
      lastModified: now,
    }
    site.tags = asStringMap(body.tags)
    site.serverFarmId = serverFarmId
    site.functionAppConfig = config
    site.appSettings = settings
    site.lastModified = new Date().toISOString()
    state.sites.set(name.toLowerCase(), site)
    restart(site)
    state.onSiteChange(site)
    return siteBody(context, site)
  }
  // WebApps_CreateOrUpdate in the spec: 200 or 202 with x-ms-long-running-operation; Azure answers 202 and runs it.
  return context.lro.start(request, 'async-operation', 202, undefined, context.subscription, apply)
}

/** `/sites/{name}[/...]` under a resource group. */
export async function site(context: ArmContext, name: string, rest: string[]): Promise<Response> {
  const { state, request } = context
  const missingGroup = requireGroup(context)
  if (missingGroup) return missingGroup
  const found = state.site(name)
  const current = found && key(found.resourceGroup) === key(context.resourceGroup) ? found : undefined
  const sub = rest.join('/').toLowerCase()
  const method = request.method
  if (sub === '') {
    if (method === 'PUT') return putSite(context, name, current)
    if (!current) {
      return method === 'DELETE' ? new Response(null, { status: 204 }) : notFound(SITE_TYPE, name, context.resourceGroup)
    }
    if (method === 'GET') return json(siteBody(context, current))
    if (method === 'PATCH') {
      const body = await readJson(request)
      if (!body) return badJson()
      if (body.tags !== undefined) current.tags = asStringMap(body.tags)
      current.lastModified = new Date().toISOString()
      return json(siteBody(context, current))
    }
    if (method === 'DELETE') {
      state.sites.delete(current.name.toLowerCase())
      restart(current)
      state.onSiteChange(current)
      if (new URL(request.url).searchParams.get('deleteEmptyServerFarm') === 'true')
        deleteEmptyPlan(context, current.serverFarmId)
      return new Response(null, { status: 200 })
    }
  }
  if (!current) return notFound(SITE_TYPE, name, context.resourceGroup)
  if (sub === 'config/appsettings' && method === 'PUT') {
    const body = await readJson(request)
    if (!body) return badJson()
    const settings = asStringMap(body.properties)
    if ('FUNCTIONS_WORKER_RUNTIME' in settings) {
      return armError(400, 'BadRequest', 'FUNCTIONS_WORKER_RUNTIME is not a valid app setting for Flex Consumption apps.')
    }
    current.appSettings = settings
    restart(current)
    state.onSiteChange(current)
    return json({ id: `${siteId(context, current)}/config/appsettings`, name: 'appsettings', properties: settings })
  }
  if (sub === 'config/appsettings/list' && method === 'POST') {
    return json({ id: `${siteId(context, current)}/config/appsettings`, name: 'appsettings', properties: current.appSettings })
  }
  if (sub === 'providers/microsoft.resources/tags/default' && method === 'PATCH') {
    const body = await readJson(request)
    if (!body) return badJson()
    const tags = asStringMap(asRecord(body.properties).tags)
    const operation = String(body.operation ?? 'Merge').toLowerCase()
    if (operation === 'replace') current.tags = tags
    else if (operation === 'delete') for (const name of Object.keys(tags)) delete current.tags[name]
    else current.tags = { ...current.tags, ...tags }
    return json({
      id: `${siteId(context, current)}/providers/Microsoft.Resources/tags/default`,
      name: 'default',
      type: 'Microsoft.Resources/tags',
      properties: { tags: current.tags },
    })
  }
  if (sub === 'syncfunctiontriggers' && method === 'POST') {
    current.listedFunctions = current.app?.functions ?? []
    state.onSiteChange(current)
    // The spec says 204; the real service answers 200 (Azure/azure-rest-api-specs#1275).
    return new Response(null, { status: 200 })
  }
  if (sub === 'host/default/listkeys' && method === 'POST') {
    return json({ masterKey: current.masterKey, functionKeys: { default: current.hostKey }, systemKeys: {} })
  }
  if (sub === 'functions' && method === 'GET') {
    return json({ value: current.listedFunctions.map((fn) => functionEnvelope(context, current, fn)) })
  }
  const fnMatch = /^functions\/([^/]+)(\/listkeys)?$/.exec(sub)
  const listed = fnMatch && current.listedFunctions.find((fn) => fn.name.toLowerCase() === fnMatch[1])
  if (fnMatch && !listed) return armError(404, 'NotFound', `Function ${fnMatch[1]} does not exist.`)
  if (listed && !fnMatch?.[2] && method === 'GET') return json(functionEnvelope(context, current, listed))
  if (listed && fnMatch?.[2] && method === 'POST') {
    // The real API answers a flat map, not the StringDictionary the SDK's model describes.
    return json(functionKeys(context.state, current, listed.name))
  }
  return armError(404, 'NotFound', `No route for ${method} ${sub}.`)
}

function deleteEmptyPlan(context: ArmContext, serverFarmId: string): void {
  const planName = /\/serverfarms\/([^/]+)$/i.exec(serverFarmId)?.[1]?.toLowerCase()
  const inUse = [...context.state.sites.values()].some((other) => other.serverFarmId.toLowerCase() === serverFarmId.toLowerCase())
  if (!planName || inUse) return
  for (const [id, plan] of context.state.plans) if (plan.name.toLowerCase() === planName) context.state.plans.delete(id)
}

export function functionKeys(state: AzureState, site: SiteState, functionName: string): Record<string, string> {
  let keys = site.functionKeys.get(functionName)
  if (!keys) {
    keys = { default: state.secret('functionKey') }
    site.functionKeys.set(functionName, keys)
  }
  return keys
}

function bindingOf(fn: FunctionRegistration) {
  if (fn.kind === 'http')
    return { type: 'httpTrigger', direction: 'in', route: fn.route, methods: fn.methods, authLevel: fn.authLevel }
  if (fn.kind === 'timer') return { type: 'timerTrigger', direction: 'in', schedule: fn.schedule }
  if (fn.kind === 'eventGrid') return { type: 'eventGridTrigger', direction: 'in' }
  return { type: 'queueTrigger', direction: 'in', queueName: fn.queueName, connection: fn.connection }
}

function functionEnvelope(context: ArmContext, site: SiteState, fn: FunctionRegistration) {
  const name = fn.name
  const prefix = site.app?.routePrefix ?? 'api'
  const route = fn.kind === 'http' ? [prefix, fn.route].filter(Boolean).join('/') : undefined
  return {
    id: `${siteId(context, site)}/functions/${name}`,
    name: `${site.name}/${name}`,
    type: 'Microsoft.Web/sites/functions',
    location: site.location,
    properties: {
      name,
      function_app_id: null,
      invoke_url_template: route === undefined ? null : `https://${site.name}.azurewebsites.net/${route}`,
      language: 'node',
      isDisabled: false,
      config: { bindings: [bindingOf(fn)] },
    },
  }
}

/** `GET .../providers/Microsoft.Web/sites` of a resource group. */
export function listSites(context: ArmContext): Response {
  const missingGroup = requireGroup(context)
  if (missingGroup) return missingGroup
  const sites = [...context.state.sites.values()].filter((site) => key(site.resourceGroup) === key(context.resourceGroup))
  return json({ value: sites.map((site) => siteBody(context, site)) })
}
