import { http } from 'msw'
import { type Emulator, stateProbe } from '../../../src/emulator/emulator.ts'
import { answerFault, type RenderedFault, requestLine } from '../../../src/emulator/faults.ts'
import { type EmulatorTiming, timingPreset } from '../../../src/emulator-timing.ts'
import { emulatorServer } from '../../../src/sandbox/msw-server.ts'
import { systemClock, type TriggerClock } from '../../../src/triggers/clock.ts'
import { type RpcStatus, rpcStatusName, rpcStatusOfHttp } from '../enums.ts'
import type { GcpSettings } from '../settings.ts'
import { emulatorAuthClient } from './auth-client.ts'
import { createControlPlane } from './control-plane.ts'
import { deadLettersOf } from './eventarc.ts'
import { createEventarcApi } from './eventarc-api.ts'
import { type FaultTarget, type GcpFault, GcpFaults } from './faults.ts'
import { frameworkDir } from './framework.ts'
import { createFunctionUrl } from './function-url.ts'
import { GcsModel } from './gcs.ts'
import { googleError, rateLimitExceeded } from './google-errors.ts'
import { fakeIdToken } from './id-token.ts'
import { PubsubModel } from './pubsub.ts'
import { createResourceManager } from './resource-manager.ts'
import { createRunIam } from './run-iam.ts'
import { SchedulerModel } from './scheduler.ts'
import { GcpEmulatorState } from './state.ts'
import { createUploadHost } from './storage.ts'

export type { FaultChooser, FaultKind } from '../../../src/emulator/faults.ts'
export { emulatorAuthClient } from './auth-client.ts'
export { type FaultTarget, type GcpFault, GcpFaults, type OperationFailure } from './faults.ts'
export { type GcsBucketResource, GcsModel, type GcsObjectResource } from './gcs.ts'
export { storageAuthClient } from './gcs-auth.ts'
export { checkIdToken, fakeIdToken } from './id-token.ts'
export { PubsubModel } from './pubsub.ts'
export { SchedulerModel } from './scheduler.ts'
export { type EmulatedFunction, GcpEmulatorState } from './state.ts'

/** The delays of each timing preset (see GcpEmulatorOptions for the sources). */
const TIMINGS: Record<EmulatorTiming, { operationDelayMs: number; queueRetryDelayMs: number }> = {
  fast: { operationDelayMs: 20, queueRetryDelayMs: 100 },
  realistic: { operationDelayMs: 60_000, queueRetryDelayMs: 10_000 },
}

/** Options spelled out as undefined fall back to the preset, as omitted ones do. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>
}

export interface GcpEmulatorOptions {
  /**
   * Presets for the delays below (default `'fast'`): `'realistic'` gives the
   * durations Google documents, named on each option. An option given explicitly wins.
   */
  timing?: EmulatorTiming
  /**
   * How long create, update and delete operations run at least before they
   * are done, in ms; the new revision's first instance starts meanwhile, and
   * an operation whose instance takes longer ends when it has started (fast
   * 20 ms; realistic 60 s: a 2nd gen deploy runs a Cloud Build build and rolls
   * out a Cloud Run revision, which takes a minute or more).
   */
  operationDelayMs?: number
  /** Largest page `listFunctions` returns (default 1000, the API's maximum). */
  maxPageSize?: number
  /** The time Cloud Scheduler jobs fire on (default: the system clock). */
  clock?: TriggerClock
  /**
   * The time `operationDelayMs` is measured on (default: the system clock). A
   * manual clock (`createManualClock()`) keeps an operation running until the
   * clock is advanced past its delay, however slow the machine. Apart from
   * `clock`, so that a test firing schedules by hand still gets deploys that end.
   */
  stateClock?: TriggerClock
  /** Pause before Pub/Sub pushes a failed message again, in ms (fast 100 ms; realistic 10 s, Pub/Sub's minimum retry backoff). */
  queueRetryDelayMs?: number
}

/**
 * The emulator kit's `Emulator` (src/emulator/emulator.ts): `handlers` for
 * Cloud Functions, Storage uploads, Cloud Run (URLs and IAM), Cloud Scheduler,
 * Pub/Sub and Resource Manager; `deadLetters` reads the dead-letter topic of a
 * Pub/Sub-triggered function's subscription.
 */
export interface GcpEmulator extends Emulator<GcpSettings, GcpEmulatorState, GcpFaults> {
  /** Topics, subscriptions and what they hold. */
  readonly pubsub: PubsubModel
  /** Cloud Storage buckets and objects (the JSON API; source uploads are apart, in `state.uploads`). */
  readonly gcs: GcsModel
  /** Standalone Eventarc triggers (eventarc.googleapis.com), by full name. */
  readonly eventarc: { readonly triggers: ReadonlyMap<string, unknown> }
  /** Cloud Scheduler jobs. */
  readonly scheduler: SchedulerModel
  /** Changeable while running, e.g. to make operations slow. */
  readonly options: Required<GcpEmulatorOptions>
  /** An `idTokenProvider` for `gcp()` whose tokens the emulated function URLs accept. */
  idTokenProvider(audience: string): Promise<string>
}

/** The function a control request is about (`.../functions/NAME`), for faults aimed at one function. */
function functionNameIn(request: Request): string | undefined {
  return /\/functions\/([^/:?]+)/.exec(new URL(request.url).pathname)?.[1]
}

/** A fault on Google's APIs, answered as they answer (google-errors.ts names the references). */
function renderFault(fault: RenderedFault<GcpFault>, request: Request): Response {
  if (fault.kind === 'throttle') {
    // The consumer is the project in the path, when there is one.
    const project = /\/projects\/([^/]+)/.exec(new URL(request.url).pathname)?.[1] ?? 'unknown'
    return rateLimitExceeded(new URL(request.url).host, GcpEmulatorState.projectNumber(project))
  }
  const status = rpcStatusName(fault.code) ?? rpcStatusOfHttp(fault.status ?? 500)
  return googleError(status, fault.message ?? API_ERROR_MESSAGES[status] ?? 'Internal error encountered.')
}

const API_ERROR_MESSAGES: Partial<Record<RpcStatus, string>> = {
  UNAVAILABLE: 'The service is currently unavailable.',
  INTERNAL: 'Internal error encountered.',
}

/**
 * A stateful model of Cloud Functions 2nd gen that the unmodified
 * `@google-cloud/functions` v2 client (REST transport) talks to at the
 * production host names, and whose function URLs really run the uploaded
 * code, served by the real Functions Framework in each instance, each
 * instance a process of its own (src/sandbox/process-sandbox.ts).
 */
export function createGcpEmulator(options: GcpEmulatorOptions = {}): GcpEmulator {
  // Functions run under the real framework: refuse at once, naming the package, when it is missing.
  frameworkDir()
  const { timing, ...explicit } = options
  const settings: Required<GcpEmulatorOptions> = {
    timing: timing ?? 'fast',
    ...timingPreset(timing, TIMINGS),
    maxPageSize: 1000,
    clock: systemClock(),
    stateClock: systemClock(),
    ...withoutUndefined(explicit),
  }
  const state = new GcpEmulatorState()
  const faults = new GcpFaults()
  const functionUrl = createFunctionUrl(state, faults)
  const pubsub = new PubsubModel(functionUrl, {
    get queueRetryDelayMs() {
      return settings.queueRetryDelayMs
    },
  })
  const scheduler = new SchedulerModel(settings.clock, functionUrl)
  const gcs = new GcsModel((topic, message) => pubsub.publish(topic, [message]))
  const api = createControlPlane(state, faults, pubsub, settings, gcs)
  const upload = createUploadHost(state)
  const gcsApi = gcs.handler()
  const eventarc = createEventarcApi(state, pubsub, gcs)
  // One host: the JSON API's paths, else the signed source-upload URLs (storage.ts).
  const storageHost = (request: Request) =>
    /^\/(?:upload\/|download\/)?storage\/v1\//.test(new URL(request.url).pathname) ? gcsApi(request) : upload(request)

  const counted =
    (target: FaultTarget, serve: (request: Request) => Promise<Response>) =>
    async ({ request }: { request: Request }) => {
      state.recordRequest(request)
      // A function's URL takes its own faults (function-url.ts): it knows whether the function serves HTTP.
      const fault =
        target === 'invoke'
          ? undefined
          : faults.take({ on: target, line: requestLine(request), functionName: functionNameIn(request) })
      if (!fault) return serve(request)
      return answerFault(
        fault,
        () => serve(request),
        (rendered) => renderFault(rendered, request),
        (status) => googleError(rpcStatusOfHttp(status), 'Internal error encountered.'),
      )
    }

  const handlers = [
    http.all(/^https:\/\/cloudfunctions\.googleapis\.com\//, counted('control', api)),
    http.all(/^https:\/\/storage\.googleapis\.com\//, counted('upload', storageHost)),
    http.all(
      /^https:\/\/[a-z0-9-]+\.a\.run\.app(?:\/|$)/,
      counted('invoke', (request) => functionUrl(request)),
    ),
    http.all(/^https:\/\/run\.googleapis\.com\//, counted('control', createRunIam(state))),
    http.all(/^https:\/\/cloudscheduler\.googleapis\.com\//, counted('control', scheduler.handler())),
    http.all(/^https:\/\/pubsub\.googleapis\.com\//, counted('control', pubsub.handler())),
    http.all(/^https:\/\/eventarc\.googleapis\.com\//, counted('control', eventarc.handler)),
    http.all(/^https:\/\/cloudresourcemanager\.googleapis\.com\//, counted('control', createResourceManager())),
  ]

  const server = emulatorServer(handlers)
  const deadLetters = (functionName: string) => deadLettersOf(state.byShortName(functionName), pubsub)
  const idTokenProvider = async (audience: string) => fakeIdToken(audience)

  return {
    handlers,
    state,
    faults,
    pubsub,
    gcs,
    eventarc,
    scheduler,
    deadLetters,
    probe: () =>
      stateProbe(state, {
        exists: async (name) => state.byShortName(name) !== undefined,
        topicNames: async () => [...pubsub.topics.keys()].map((topic) => topic.split('/').pop() ?? ''),
        functionNames: async () => state.functionNames(),
        deadLetters: async (name) => deadLetters(name),
      }),
    // Any project and region: the emulator serves every one.
    connect: (overrides) => ({
      project: 'cloudfn-emulated',
      region: 'europe-west1',
      authClient: emulatorAuthClient(),
      idTokenProvider,
      pollIntervalMs: 5,
      ...overrides,
    }),
    options: settings,
    idTokenProvider,
    listen: server.listen,
    async close() {
      scheduler.close()
      pubsub.close()
      server.close()
      await Promise.all(
        [...state.functions.values()].flatMap((fn) => [fn.revision?.sandbox.retire(), fn.rollingOut?.sandbox.retire()]),
      )
    },
  }
}
export type { EmulatorTiming } from '../../../src/emulator-timing.ts'
