import { ProviderError } from '../../src/errors/provider-error.ts'
import { ThrottledError } from '../../src/errors/throttled.ts'
import { pollPace } from '../../src/poll-pace.ts'
import { abortableSleep, throwIfAborted } from '../../src/retry.ts'
import { functionState } from './enums.ts'
import { mapControlPlaneError, retryAfterMs } from './errors.ts'
import { isManaged } from './labels.ts'
import { functionResourceName, type Location, locationName } from './names.ts'
import { retryGcpRequest } from './request-retry.ts'
import type { Rest } from './rest.ts'
import { type FunctionServiceClient, type GcpFunction, pollSettings, type SchedulerClient } from './sdk.ts'

/** Deploys take minutes on GCP (a Cloud Build run and a Cloud Run revision); give up after 20. */
const OPERATION_TIMEOUT_MS = 20 * 60_000

export interface ControlPlane {
  readonly location: Location
  readonly pollIntervalMs: number
  client(): Promise<FunctionServiceClient>
  /** Cloud Scheduler, for schedule triggers. */
  scheduler(): Promise<SchedulerClient>
  /** Cloud Run Admin, Pub/Sub and Resource Manager, for HTTP access and queue triggers. */
  rest: Rest
  /** The project's number, for service agents' e-mails; asked once, on first use. */
  projectNumber(): Promise<string>
}

type Operation = { promise(): Promise<[GcpFunction | object, unknown, unknown]> }

/** Runs one API call and maps its failure; `name` is the function it concerns, for messages. */
export async function call<T>(operation: string, name: string, run: () => Promise<T>, retry = true): Promise<T> {
  try {
    // Each request is retried on its own first (request-retry.ts); not an operation's outcome, which is final.
    return await (retry ? retryGcpRequest(run, (error) => mapControlPlaneError(error, operation, name)) : run())
  } catch (error) {
    throw mapControlPlaneError(error, operation, name)
  }
}

export async function getFunction(plane: ControlPlane, name: string): Promise<GcpFunction | undefined> {
  const client = await plane.client()
  try {
    const [fn] = await call('get', name, () => client.getFunction({ name: functionResourceName(plane.location, name) }))
    return fn
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFound') return undefined
    throw error
  }
}

export async function listManaged(plane: ControlPlane): Promise<GcpFunction[]> {
  const client = await plane.client()
  const [functions] = await call('list', locationName(plane.location), () =>
    client.listFunctions({ parent: locationName(plane.location), pageSize: 1000 }, { autoPaginate: true }),
  )
  return functions.filter((fn) => isManaged(fn.labels))
}

/** Waits for a long-running operation (create, update, delete) to end, polling at the plane's pace. */
export async function awaitOperation(
  name: string,
  verb: string,
  start: (options: ReturnType<typeof pollSettings>) => Promise<[Operation, ...unknown[]]>,
  plane: ControlPlane,
): Promise<GcpFunction | object> {
  const [operation] = await call(verb, name, () => start(pollSettings(plane.pollIntervalMs, OPERATION_TIMEOUT_MS)))
  const [result] = await call(verb, name, () => operation.promise(), false)
  return result
}

/**
 * Polls until the function is no longer DEPLOYING or DELETING (an operation
 * of an earlier, interrupted deploy may still be running) and returns it, or
 * undefined once it is gone.
 */
export async function waitSettled(plane: ControlPlane, name: string, signal?: AbortSignal): Promise<GcpFunction | undefined> {
  const deadline = Date.now() + OPERATION_TIMEOUT_MS
  const pace = pollPace(plane.pollIntervalMs)
  let delay = pace()
  for (;;) {
    const fn = await getFunction(plane, name)
    const state = functionState(fn?.state)
    if (!fn || (state !== 'DEPLOYING' && state !== 'DELETING')) return fn
    if (Date.now() > deadline) {
      throw new ProviderError({ provider: 'gcp', isRetryable: false, message: `Function '${name}' stayed ${state} too long` })
    }
    await abortableSleep(delay, signal)
    throwIfAborted(signal)
    // Quick first polls up to the interval, then ×1.5 per poll up to ten intervals.
    delay = delay < plane.pollIntervalMs ? pace() : Math.min(delay * 1.5, plane.pollIntervalMs * 10)
  }
}

/** Uploads the zip to a fresh signed URL and returns the storage source to build from. */
export async function uploadSource(plane: ControlPlane, name: string, zip: Uint8Array, signal?: AbortSignal) {
  const client = await plane.client()
  const [target] = await call('upload', name, () => client.generateUploadUrl({ parent: locationName(plane.location) }))
  if (!target.uploadUrl || !target.storageSource) {
    throw new ProviderError({ provider: 'gcp', message: 'generateUploadUrl answered without an upload URL' })
  }
  let response: Response
  try {
    // A signed URL carries its own authorization; an Authorization header would be refused.
    response = await fetch(target.uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/zip' },
      body: zip,
      signal,
    })
  } catch (cause) {
    throw new ProviderError({ provider: 'gcp', cause, message: `Uploading the code of '${name}' failed: network error` })
  }
  if (!response.ok) {
    const message = `Uploading the code of '${name}' failed with HTTP ${response.status}`
    await response.body?.cancel()
    if (response.status === 429) {
      throw new ThrottledError({ provider: 'gcp', message, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) })
    }
    // A fresh URL is requested on every attempt, so an expired one is worth retrying too.
    const retryable = response.status >= 500 || response.status === 408 || response.status === 403
    throw new ProviderError({ provider: 'gcp', status: response.status, isRetryable: retryable, message })
  }
  await response.body?.cancel()
  return target.storageSource
}
