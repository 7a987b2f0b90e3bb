/**
 * An msw model of Azure Functions on the Flex Consumption plan: ARM
 * (`management.azure.com`: resource groups, storage, plans, sites, settings,
 * functions, keys, long-running operations), the Kudu OneDeploy endpoint
 * (`APP.scm.azurewebsites.net`) and the function host (`APP.azurewebsites.net`),
 * which runs uploaded packages in processes of their own with the `@azure/functions`
 * v4 programming model. The real `@azure/arm-*` SDKs talk to it unchanged.
 */
import { type HttpHandler, http } from 'msw'
import { type Emulator, stateProbe } from '../../../src/emulator/emulator.ts'
import { requestLine } from '../../../src/emulator/faults.ts'
import { type EmulatorTiming, timingPreset } from '../../../src/emulator-timing.ts'
import { emulatorServer } from '../../../src/sandbox/msw-server.ts'
import { systemClock, type TriggerClock } from '../../../src/triggers/clock.ts'
import { ENVELOPE_ROUTE } from '../constants.ts'
import type { AzureSettings } from '../settings.ts'
import { arm } from './arm.ts'
import { randomSecret } from './arm-resources.ts'
import { blobService } from './blob-service.ts'
import { EventGridService } from './eventgrid.ts'
import { AzureFaults, type FaultTarget } from './faults.ts'
import { functionHost } from './function-host.ts'
import { armError, bearerToken } from './http.ts'
import { LongRunningOperations } from './lro.ts'
import { queueService } from './queue-service.ts'
import { scm } from './scm.ts'
import { AzureState, type SecretKind } from './state.ts'
import { SiteTriggers } from './triggers.ts'

export type { FaultChooser, FaultKind } from '../../../src/emulator/faults.ts'
export { type AzureFault, AzureFaults, type FaultTarget, type LroFault } from './faults.ts'
export type { FunctionRegistration } from './protocol.ts'
export { AzureState, type SecretKind, type SiteState } from './state.ts'

/** A stub `TokenCredential` for tests: the emulator accepts any bearer token. */
export function emulatorCredential(token = 'emulator-arm-token') {
  return {
    getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  }
}

/**
 * Whether a request may change something: ARM reads with GET, and with POST
 * to its `list…` actions (listKeys, listsecrets: "POST .../listKeys" in the
 * ARM REST reference; the resource provider contract's "list" actions,
 * https://github.com/cloud-and-ai-microsoft/resource-provider-contract/blob/master/v1.0/proxy-api-reference.md#resource-actions),
 * as Kudu and the Functions host read with GET.
 */
function isWrite(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false
  return !(request.method === 'POST' && /\/list[a-z]*$/i.test(new URL(request.url).pathname))
}

/** The long-running operations' pace of each timing preset (see AzureEmulatorOptions). */
const TIMINGS: Record<EmulatorTiming, { lroPolls: number; lroRetryAfterSec: number; eventGridRetryDelayMs: number }> = {
  fast: { lroPolls: 1, lroRetryAfterSec: 0, eventGridRetryDelayMs: 10 },
  realistic: { lroPolls: 3, lroRetryAfterSec: 10, eventGridRetryDelayMs: 10_000 },
}

export interface AzureEmulatorOptions {
  /**
   * Presets for the long-running operations' pace (default `'fast'`):
   * `'realistic'` makes each operation last about as long as ARM's do. An
   * option given explicitly wins.
   */
  timing?: EmulatorTiming
  /** Polls that find a long-running operation still in progress before it ends (fast 1; realistic 3). */
  lroPolls?: number
  /**
   * `Retry-After` on long-running operations, in seconds (fast 0; realistic 10,
   * which core-lro waits between polls: with 3 polls an operation takes about
   * 30 s, the order of a Flex Consumption app's or plan's creation).
   */
  lroRetryAfterSec?: number
  /** Fixed secrets (keys, storage keys) instead of random ones, e.g. recognisable fakes for leak tests. */
  secrets?: Partial<Record<SecretKind, string>>
  /** Decides whether a bearer token is valid (default: any non-empty token). */
  acceptToken?: (token: string) => boolean
  /** The time timer functions fire on (default: the system clock). */
  clock?: TriggerClock
  /** The queue listener's polling pace in ms, standing for the host's 100 ms minimum polling interval (default 100); see TriggerSettings. */
  queueRetryDelayMs?: number
  /** Event Grid's first redelivery delay in ms (Azure: 10 s; fast 10, realistic 10 000); later steps keep Azure's ratios (eventgrid.ts). */
  eventGridRetryDelayMs?: number
}

/**
 * The emulator kit's `Emulator` (src/emulator/emulator.ts): `handlers` for
 * ARM, scm, Storage queues and the function hosts; `deadLetters` reads a
 * queue-triggered function's poison queue.
 */
export type AzureEmulator = Emulator<AzureSettings, AzureState, AzureFaults>

export function createAzureEmulator(options: AzureEmulatorOptions = {}): AzureEmulator {
  const state = new AzureState((kind) => options.secrets?.[kind] ?? randomSecret())
  const faults = new AzureFaults()
  const preset = timingPreset(options.timing, TIMINGS)
  const lro = new LongRunningOperations(faults, {
    polls: options.lroPolls ?? preset.lroPolls,
    retryAfterSec: options.lroRetryAfterSec ?? preset.lroRetryAfterSec,
  })
  const acceptToken = options.acceptToken ?? ((token: string) => token.length > 0)
  const clock = options.clock ?? systemClock()
  const triggers = new SiteTriggers(state, {
    clock,
    queueRetryDelayMs: options.queueRetryDelayMs ?? 100,
  })
  state.onSiteChange = (site) => triggers.sync(site)
  const eventGrid = new EventGridService(state, {
    clock,
    retryDelayMs: options.eventGridRetryDelayMs ?? preset.eventGridRetryDelayMs,
    acceptToken,
  })

  /** The cloudfn function a request is about (its app's tag), for faults aimed at one function. */
  const functionOf = (request: Request): string | undefined => {
    const url = new URL(request.url)
    const app = url.hostname.endsWith('.azurewebsites.net')
      ? url.hostname.split('.')[0]
      : /\/sites\/([^/]+)/i.exec(url.pathname)?.[1]
    return app === undefined ? undefined : state.site(app)?.tags['cloudfn:name']
  }

  const serve =
    (target: FaultTarget, handle: (request: Request, url: URL) => Promise<Response>) =>
    async ({ request }: { request: Request }) => {
      state.record(`${target} ${request.method}`, isWrite(request))
      const fault = { on: target, line: requestLine(request), functionName: functionOf(request) }
      return faults.apply(fault, () => handle(request, new URL(request.url)))
    }

  const handlers: HttpHandler[] = [
    http.all(
      /^https:\/\/management\.azure\.com\//i,
      serve('arm', async (request, url) => {
        const token = bearerToken(request)
        if (!token || !acceptToken(token)) {
          return armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or invalid.")
        }
        return arm(state, lro, request, url)
      }),
    ),
    http.all(
      /^https:\/\/[a-z0-9-]+\.scm\.azurewebsites\.net\//i,
      serve('scm', async (request, url) => {
        const site = state.site(url.hostname.split('.')[0] ?? '')
        if (!site) return new Response('Not Found', { status: 404 })
        const token = bearerToken(request)
        if (!token || !acceptToken(token)) return new Response(null, { status: 401 })
        return scm(state, site, request, url.pathname)
      }),
    ),
    http.all(
      /^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\//i,
      serve('blob', (request, url) => blobService(state, request, url, clock.now)),
    ),
    http.all(
      /^https:\/\/[a-z0-9]+\.queue\.core\.windows\.net\//i,
      serve('queue', (request, url) => queueService(state, request, url, clock.now)),
    ),
    http.all(
      /^https:\/\/[a-z0-9-]+\.[a-z0-9]+-1\.eventgrid\.azure\.net\//i,
      serve('eventgrid', (request, url) => eventGrid.publish(request, url)),
    ),
    http.all(/^https:\/\/[a-z0-9-]+\.azurewebsites\.net\//i, (info: { request: Request }) => {
      const { pathname } = new URL(info.request.url)
      const target = pathname.toLowerCase().startsWith(`/${ENVELOPE_ROUTE}`) ? 'host' : 'http'
      return serve(target, (request, url) => functionHost(state, state.site(url.hostname.split('.')[0] ?? ''), request, url))(
        info,
      )
    }),
  ]

  const server = emulatorServer(handlers)
  return {
    handlers,
    state,
    faults,
    listen: server.listen,
    deadLetters: (functionName) => [...state.deadLetters(functionName), ...eventGrid.deadLetters(functionName)],
    probe: () =>
      stateProbe(state, {
        exists: async (name) => state.siteForFunction(name) !== undefined,
        functionNames: async () => [...state.sites.values()].map((site) => site.tags['cloudfn:name'] ?? site.name),
        deadLetters: async (name) => [...state.deadLetters(name), ...eventGrid.deadLetters(name)],
        topicNames: async () => [...state.eventGrid.topics.values()].map((topic) => topic.name),
      }),
    // Any subscription and resource group: the emulator creates what the provider asks for.
    connect: (overrides) => ({
      subscriptionId: '00000000-0000-4000-8000-000000000000',
      resourceGroup: 'cloudfn-emulated',
      location: 'westeurope',
      credential: emulatorCredential(),
      pollIntervalMs: 5,
      ...overrides,
    }),
    async close() {
      triggers.close()
      eventGrid.close()
      server.close()
      const running = [...state.sites.values()].map((site) => site.runtime)
      for (const site of state.sites.values()) site.runtime = undefined
      // A runtime that failed to start has nothing to retire, and its failure was the requests' to report, not close()'s.
      await Promise.all(
        running.map((runtime) =>
          runtime?.then(
            (r) => r.retire(),
            () => undefined,
          ),
        ),
      )
    },
  }
}
export type { EmulatorTiming } from '../../../src/emulator-timing.ts'
