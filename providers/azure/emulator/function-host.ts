import { randomUUID } from 'node:crypto'
import { failingBody, fetchCanDecode } from '../../../src/content-coding.ts'
import type { FunctionRegistration } from './protocol.ts'
import { startRuntime } from './scm.ts'
import type { AzureState, SiteState } from './state.ts'

const NULL_BODY = new Set([204, 205, 304])

/** The front end refuses bodies over 100 MB (HTTP trigger limit). */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024

/** Node's default --max-http-header-size: request line and headers together. */
const MAX_HEAD_BYTES = 16 * 1024

/** The size of the request's head as it goes over HTTP/1.1 to the worker. */
function headBytes(request: Request, url: URL): number {
  let bytes = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`.length
  request.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4
  })
  return bytes
}

const SITE_NOT_FOUND =
  '<!DOCTYPE html><html><head><title>Microsoft Azure Web App - Error 404</title></head><body><h1>404 Web Site not found.</h1></body></html>'

function validKey(site: SiteState, functionName: string, request: Request, url: URL): boolean {
  const given = request.headers.get('x-functions-key') ?? url.searchParams.get('code')
  if (!given) return false
  const accepted = [site.masterKey, site.hostKey, ...Object.values(site.functionKeys.get(functionName) ?? {})]
  return accepted.includes(given)
}

type HttpFunction = Extract<FunctionRegistration, { kind: 'http' }>

/**
 * `GET /admin/host/status` with the master key: the host's HostStatus
 * (Azure/azure-functions-host `HostController.GetHostStatus`): state
 * `Running`, or `Error` with the errors that stopped it.
 */
function hostStatus(site: SiteState, request: Request, url: URL): Response {
  const given = request.headers.get('x-functions-key') ?? url.searchParams.get('code')
  if (given !== site.masterKey) return new Response(null, { status: 401 })
  const body = {
    id: site.name,
    state: site.hostError ? 'Error' : 'Running',
    version: '4.1040.0.0',
    ...(site.hostError ? { errors: [site.hostError] } : {}),
  }
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } })
}

/** Whether a route template (`api/cloudfn`, `items/{id}`, `{*path}`) matches a path, as ASP.NET routing does. */
export function routeMatches(template: string, path: string): boolean {
  const wanted = template.split('/').filter(Boolean)
  const given = path.split('/').filter(Boolean)
  for (const [index, segment] of wanted.entries()) {
    // A catch-all takes the rest of the path, even none of it.
    if (/^\{\*[^}]+\}$/.test(segment)) return true
    const part = given[index]
    if (part === undefined) return false
    if (/^\{[^}]+\}$/.test(segment)) continue
    if (segment.toLowerCase() !== decodeURIComponent(part).toLowerCase()) return false
  }
  return given.length === wanted.length
}

/** The HTTP function a path reaches: literal routes win over catch-alls. */
function routeOf(site: SiteState, path: string): HttpFunction | undefined {
  const prefix = site.app?.routePrefix ?? 'api'
  const http = site.listedFunctions.filter((fn): fn is HttpFunction => fn.kind === 'http')
  const ordered = [...http.filter((fn) => !fn.route.includes('{*')), ...http.filter((fn) => fn.route.includes('{*'))]
  return ordered.find((fn) => routeMatches([prefix, fn.route].filter(Boolean).join('/'), path))
}

/**
 * `https://APP.azurewebsites.net/PREFIX/ROUTE`: the host routes the request to
 * the registered HTTP function, checks its key and runs it on an instance.
 * Failures answer as the host does, with an empty body: 500 when the
 * function threw, crashed its worker or passed `functionTimeout`, 429 when
 * every instance is busy at the maximum instance count.
 */
export async function functionHost(
  state: AzureState,
  site: SiteState | undefined,
  request: Request,
  url: URL,
): Promise<Response> {
  if (!site) return new Response(SITE_NOT_FOUND, { status: 404, headers: { 'content-type': 'text/html' } })
  if (url.pathname.toLowerCase() === '/admin/host/status' && request.method === 'GET') return hostStatus(site, request, url)
  const registration = routeOf(site, url.pathname)
  if (!site.app || !registration?.methods.includes(request.method)) {
    return new Response(null, { status: 404 })
  }
  if (registration.authLevel !== 'anonymous' && !validKey(site, registration.name, request, url)) {
    return new Response(null, { status: 401 })
  }
  // The app's Node worker reads the request through node:http (HTTP streams), which refuses a head over
  // 16 KiB: such a request can never run, so it is refused at once (431) rather than left to time out.
  if (headBytes(request, url) > MAX_HEAD_BYTES) return new Response(null, { status: 431 })
  const body = new Uint8Array(await request.arrayBuffer())
  if (body.byteLength > MAX_REQUEST_BYTES) return new Response(null, { status: 413 })
  const app = site.app
  site.runtime ??= startRuntime(site, app)
  const runtime = await site.runtime
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name] = value
  })
  const outcome = await runtime.invoke(
    registration.name,
    randomUUID(),
    { method: request.method, url: request.url, headers, query: Object.fromEntries(url.searchParams), body },
    () => state.countExecution(site),
  )
  switch (outcome.kind) {
    case 'response': {
      const { status, headers, body: answer } = outcome.response
      const coding = new Headers(headers).get('content-encoding')
      // The caller's fetch fails on a body not in its declared coding; msw would never finish it.
      const readable = fetchCanDecode(coding, answer) ? answer : failingBody(coding)
      return new Response(answer.byteLength && !NULL_BODY.has(status) ? readable : null, { status, headers })
    }
    case 'throttled':
      return new Response(null, { status: 429 })
    case 'timeout':
    case 'failure':
      return new Response(null, { status: 500 })
  }
}
