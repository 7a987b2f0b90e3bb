import { createHash, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { unpackZip } from '../../../src/sandbox/artifact-dir.ts'
import { DEFAULT_FUNCTION_TIMEOUT_SEC, parseTimeSpan, TIMEOUT_SETTING } from '../constants.ts'
import { type AppRuntime, createAppRuntime } from './app-runtime.ts'
import { functionKeys, restart } from './arm-sites.ts'
import { type HostConfig, indexFunctions, parseHostConfig } from './host-config.ts'
import { json } from './http.ts'
import type { AzureState, DeploymentState, SiteState } from './state.ts'

/** Unpacks a package as the Flex host mounts it; returns the entry file named by package.json `main`. */
async function unpack(
  app: string,
  zip: Uint8Array,
  sha256: string,
): Promise<{ directory: string; entryFile: string; config: HostConfig }> {
  const { directory, files } = await unpackZip(zip, `${app.toLowerCase()}-${sha256.slice(0, 16)}`)
  const hostJson = files['host.json']
  if (!hostJson) throw new Error('host.json was not found at the root of the package.')
  const manifest = files['package.json']
  let main = 'index.js'
  if (manifest) {
    const parsed = JSON.parse(new TextDecoder().decode(manifest)) as { main?: unknown }
    if (typeof parsed.main === 'string') main = parsed.main
  }
  if (!files[main]) throw new Error(`package.json names '${main}' as main, which is not in the package.`)
  return { directory, entryFile: join(directory, main), config: parseHostConfig(hostJson) }
}

export interface RuntimeDefaults {
  maxInstances: number
}

/** A function host for the app's current package and settings. */
export function startRuntime(site: SiteState, app: { directory: string; entryFile: string }): Promise<AppRuntime> {
  const scale = (site.functionAppConfig.scaleAndConcurrency ?? {}) as { instanceMemoryMB?: number; maximumInstanceCount?: number }
  return createAppRuntime({
    app: site.name,
    directory: app.directory,
    entryFile: app.entryFile,
    env: site.appSettings,
    memoryMb: scale.instanceMemoryMB ?? 2048,
    timeoutSec: parseTimeSpan(site.appSettings[TIMEOUT_SETTING]) ?? DEFAULT_FUNCTION_TIMEOUT_SEC,
    maxInstances: scale.maximumInstanceCount ?? 100,
  })
}

async function deploy(state: AzureState, site: SiteState, deployment: DeploymentState, zip: Uint8Array): Promise<void> {
  try {
    const { config, ...app } = await unpack(site.name, zip, deployment.sha256)
    deployment.status = 2
    const runtime = await startRuntime(site, app)
    const indexed = await runtime.index()
    // The package is in place either way (OneDeploy only copies it); a host that cannot index it is in
    // error: it lists no function and reports the worker's message in its status (/admin/host/status).
    const hostError = 'error' in indexed ? indexed.error : undefined
    if (hostError) await runtime.retire()
    // Functions whose bindings no loaded extension registers are in error: the host does not index them.
    const { functions, errors } = 'error' in indexed ? { functions: [], errors: {} } : indexFunctions(config, indexed)
    restart(site)
    site.hostError = hostError
    // The instance that indexed the app stays warm, as on a freshly started Flex instance.
    if (!hostError) site.runtime = Promise.resolve(runtime)
    site.app = { ...app, routePrefix: config.routePrefix, functions, functionErrors: errors }
    // Flex syncs triggers itself after a deployment.
    site.listedFunctions = functions
    for (const fn of functions) functionKeys(state, site, fn.name)
    deployment.status = 4
    deployment.message = 'Deployment successful.'
    state.onSiteChange(site)
  } catch (error) {
    deployment.status = 3
    deployment.message = error instanceof Error ? error.message : String(error)
  }
}

function deploymentBody(site: SiteState, deployment: DeploymentState) {
  return {
    id: deployment.id,
    status: deployment.status,
    status_text: ['Pending', 'Building', 'Deploying', 'Failed', 'Success'][deployment.status],
    message: deployment.message,
    complete: deployment.status >= 3,
    active: deployment.status === 4 && site.deployments.at(-1) === deployment,
    received_time: deployment.received,
    url: `https://${site.name}.scm.azurewebsites.net/api/deployments/${deployment.id}`,
  }
}

/** OneDeploy (`POST /api/publish`) and deployment status on `APP.scm.azurewebsites.net`. */
export async function scm(state: AzureState, site: SiteState, request: Request, path: string): Promise<Response> {
  if (path === '/api/publish' && request.method === 'POST') {
    const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim()
    if (type !== 'application/zip' && type !== 'application/octet-stream') {
      return new Response('Content-Type must be application/zip', { status: 415 })
    }
    const zip = new Uint8Array(await request.arrayBuffer())
    const deployment: DeploymentState = {
      id: randomUUID(),
      status: 1,
      message: 'Deployment in progress.',
      sha256: createHash('sha256').update(zip).digest('hex'),
      received: new Date().toISOString(),
      done: Promise.resolve(),
    }
    site.deployments.push(deployment)
    deployment.done = deploy(state, site, deployment, zip)
    const location = `https://${site.name}.scm.azurewebsites.net/api/deployments/${deployment.id}`
    return new Response(null, { status: 202, headers: { location } })
  }
  const match = /^\/api\/deployments\/([^/]+)$/.exec(path)
  if (match && request.method === 'GET') {
    const deployment = match[1] === 'latest' ? site.deployments.at(-1) : site.deployments.find((d) => d.id === match[1])
    if (!deployment) return json({ Message: 'Deployment not found.' }, 404)
    return json(deploymentBody(site, deployment))
  }
  return new Response('Not Found', { status: 404 })
}
