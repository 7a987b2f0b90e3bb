import { randomUUID } from 'node:crypto'
import { HttpResponse } from 'msw'
import { elapse } from '../../../src/emulator-timing.ts'
import type { TriggerClock } from '../../../src/triggers/clock.ts'
import { functionState } from '../enums.ts'
import { parseMemoryMb } from '../memory.ts'
import { FUNCTION_ID_PATTERN, shortName } from '../names.ts'
import { functionWithNames, operationWithNames, wantsIntEnums } from './enum-encoding.ts'
import { attachEventTrigger, detachEventTrigger, invalidEventTrigger } from './eventarc.ts'
import type { GcpFaults } from './faults.ts'
import type { GcsModel } from './gcs.ts'
import { googleError } from './google-errors.ts'
import type { PubsubModel } from './pubsub.ts'
import { BuildError, createRevision } from './revision.ts'
import { type EmulatedFunction, type FunctionResource, GcpEmulatorState, type OperationResource } from './state.ts'

export interface ControlPlaneOptions {
  /** How long create, update and delete operations take at least, in ms. */
  operationDelayMs: number
  /** The time `operationDelayMs` is measured on. */
  stateClock: TriggerClock
  /** Largest page `list` returns, whatever pageSize asks. */
  maxPageSize: number
}

type Spec = Pick<FunctionResource, 'labels' | 'buildConfig' | 'serviceConfig' | 'eventTrigger'>

const FUNCTION_TYPE = 'type.googleapis.com/google.cloud.functions.v2.Function'

function pick(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], source)
}

function place(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop() as string
  let node = target
  for (const key of keys) {
    node[key] ??= {}
    node = node[key] as Record<string, unknown>
  }
  if (value === undefined) delete node[last]
  else node[last] = structuredClone(value)
}

/** Why the API would refuse this function, or undefined. */
function invalidSpec(spec: Spec, state: GcpEmulatorState, pubsub: PubsubModel, gcs: GcsModel): string | undefined {
  const { buildConfig, serviceConfig } = spec
  const event = invalidEventTrigger(spec.eventTrigger, pubsub, gcs)
  if (event) return event
  if (!buildConfig.runtime?.startsWith('nodejs')) return `Invalid runtime: ${JSON.stringify(buildConfig.runtime ?? '')}`
  if (!buildConfig.entryPoint) return 'buildConfig.entryPoint is required'
  const source = buildConfig.source?.storageSource
  if (!source?.bucket || !source.object) return 'buildConfig.source.storageSource is required'
  if (!state.uploads.get(`${source.bucket}/${source.object}`))
    return `Source object gs://${source.bucket}/${source.object} not found`
  const memory = parseMemoryMb(serviceConfig.availableMemory ?? '256M')
  if (memory === undefined || memory < 128 || memory > 32768)
    return `Invalid value for availableMemory: ${serviceConfig.availableMemory}`
  const timeout = serviceConfig.timeoutSeconds ?? 60
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 3600)
    return 'timeoutSeconds must be between 1 and 3600 for HTTP functions'
  return undefined
}

export function createControlPlane(
  state: GcpEmulatorState,
  faults: GcpFaults,
  pubsub: PubsubModel,
  options: ControlPlaneOptions,
  gcs: GcsModel,
) {
  /**
   * Runs an operation: `work` starts at once (a rollout's build and its new
   * revision's first instance), and the ending it returns is applied once
   * `operationDelayMs` has also passed on the state clock, so the operation
   * lasts the longer of the two. Started one after the other, a fast deploy
   * paid the 20 ms delay on top of the instance's start (docs/PERFORMANCE.md);
   * under `timing: 'realistic'` the minute stands for the build and rollout,
   * the instance's start included.
   */
  const operate = (fn: EmulatedFunction, operation: OperationResource, work: () => Promise<() => Promise<void> | void>) => {
    const delay = elapse(options.stateClock, options.operationDelayMs)
    void Promise.all([work(), delay])
      .then(([end]) => end())
      .catch((error: unknown) => {
        // A fault in the emulator's own bookkeeping ends the operation as Google's INTERNAL instead of leaving it
        // running: a caller polls an unfinished operation until its own deadline, a hang with nothing said. The
        // function is left FAILED, not DEPLOYING or DELETING, which would refuse every later update or delete.
        const message = `The emulated operation failed: ${error instanceof Error ? error.message : String(error)}`
        if (operation.done) return process.emitWarning(message, 'CloudfnEmulatorWarning')
        const rollingOut = fn.rollingOut
        fn.rollingOut = undefined
        void rollingOut?.sandbox.retire().catch(() => undefined)
        if (state.functions.get(fn.resource.name) === fn) state.setState(fn, 'FAILED', message)
        state.finishOperation(operation, { error: 'INTERNAL', message })
      })
  }

  // Enums as numbers only for a caller that asks for them (the REST clients do), names otherwise.
  const asOperation = (operation: OperationResource, url: URL) =>
    HttpResponse.json(wantsIntEnums(url) ? operation : operationWithNames(operation))
  const asFunction = (resource: FunctionResource, url: URL) =>
    HttpResponse.json(wantsIntEnums(url) ? resource : functionWithNames(resource))
  const withType = (fn: EmulatedFunction) => ({ '@type': FUNCTION_TYPE, ...structuredClone(fn.resource) })

  /** Builds and rolls out a new revision, as the build and Cloud Run do, then ends the operation. */
  const rollOut = (fn: EmulatedFunction, next: Spec, operation: OperationResource) =>
    operate(fn, operation, async () => {
      const injected = faults.takeOperationFailure()
      try {
        if (injected) throw Object.assign(new Error(injected.message), { status: injected.status })
        const { serviceConfig, buildConfig } = next
        const source = buildConfig.source?.storageSource
        const revisionId = `${shortName(fn.resource.name)}-${randomUUID().slice(0, 8)}`
        const revision = await createRevision(
          {
            service: shortName(fn.resource.name),
            zip: state.uploads.get(`${source?.bucket}/${source?.object}`) ?? new Uint8Array(),
            entryPoint: buildConfig.entryPoint ?? '',
            env: serviceConfig.environmentVariables ?? {},
            memoryMb: parseMemoryMb(serviceConfig.availableMemory ?? '256M') ?? 256,
            timeoutSec: serviceConfig.timeoutSeconds ?? 60,
            maxInstances: serviceConfig.maxInstanceCount || 100,
            signatureType: next.eventTrigger?.eventType ? 'cloudevent' : 'http',
          },
          revisionId,
        )
        fn.rollingOut = revision
        return async () => {
          fn.rollingOut = undefined
          const previous = fn.revision
          Object.assign(fn.resource, structuredClone(next))
          fn.resource.serviceConfig.revision = revisionId
          fn.revision = revision
          attachEventTrigger(fn, pubsub, gcs)
          state.setState(fn, 'ACTIVE')
          state.finishOperation(operation, { response: withType(fn) })
          // Requests in flight finish on the old revision.
          await previous?.sandbox.retire()
        }
      } catch (error) {
        const status =
          (error as { status?: 'INTERNAL' }).status ?? (error instanceof BuildError ? 'INVALID_ARGUMENT' : 'INTERNAL')
        return () => {
          state.setState(fn, 'FAILED', (error as Error).message)
          state.finishOperation(operation, { error: status, message: (error as Error).message })
        }
      }
    })

  const create = async (location: string, url: URL, request: Request) => {
    const id = url.searchParams.get('functionId') ?? ''
    if (!FUNCTION_ID_PATTERN.test(id)) return googleError('INVALID_ARGUMENT', `Invalid function_id: ${JSON.stringify(id)}`)
    const name = `${location}/functions/${id}`
    if (state.functions.has(name))
      return googleError(
        'ALREADY_EXISTS',
        `Function ${id} in region ${location.split('/')[3]} in project ${location.split('/')[1]} already exists`,
      )
    const body = (await request.json()) as Partial<Spec>
    const spec: Spec = {
      labels: body.labels ?? {},
      buildConfig: body.buildConfig ?? {},
      serviceConfig: (body.serviceConfig ?? {}) as Spec['serviceConfig'],
      ...(body.eventTrigger ? { eventTrigger: body.eventTrigger } : {}),
    }
    const invalid = invalidSpec(spec, state, pubsub, gcs)
    if (invalid) return googleError('INVALID_ARGUMENT', invalid)
    const [, project, , region] = location.split('/') as [string, string, string, string]
    const uri = GcpEmulatorState.serviceUrl(project, region, id)
    spec.serviceConfig = {
      ...spec.serviceConfig,
      environmentVariables: { ...spec.serviceConfig.environmentVariables, LOG_EXECUTION_ID: 'true' },
      uri,
      service: `projects/${project}/locations/${region}/services/${id}`,
      // The default compute service account, when the caller names none.
      serviceAccountEmail:
        spec.serviceConfig.serviceAccountEmail ??
        `${GcpEmulatorState.projectNumber(project)}-compute@developer.gserviceaccount.com`,
      ingressSettings: 1,
      allTrafficOnLatestRevision: true,
    }
    const fn: EmulatedFunction = {
      resource: {
        name,
        environment: 2,
        state: 0,
        updateTime: '',
        url: `https://${region}-${project}.cloudfunctions.net/${id}`,
        stateMessages: [],
        ...structuredClone(spec),
      },
      revision: undefined,
    }
    state.functions.set(name, fn)
    state.setState(fn, 'DEPLOYING')
    const operation = state.startOperation(location, 'create', name, { resource: body, eventTrigger: !!spec.eventTrigger })
    rollOut(fn, spec, operation)
    return asOperation(operation, url)
  }

  const update = async (location: string, fn: EmulatedFunction, url: URL, request: Request) => {
    const body = (await request.json()) as Record<string, unknown>
    const mask = url.searchParams.get('updateMask')
    const paths = mask ? mask.split(',').filter(Boolean) : Object.keys(body).filter((key) => key !== 'name')
    const next: Spec = structuredClone({
      labels: fn.resource.labels,
      buildConfig: fn.resource.buildConfig,
      serviceConfig: fn.resource.serviceConfig,
      ...(fn.resource.eventTrigger ? { eventTrigger: fn.resource.eventTrigger } : {}),
    })
    for (const path of paths) place(next as unknown as Record<string, unknown>, path, pick(body, path))
    next.serviceConfig.environmentVariables = { ...next.serviceConfig.environmentVariables, LOG_EXECUTION_ID: 'true' }
    if (!!next.eventTrigger !== !!fn.resource.eventTrigger) {
      return googleError('INVALID_ARGUMENT', 'Cannot change the trigger type of an existing function; delete it and deploy again')
    }
    const invalid = invalidSpec(next, state, pubsub, gcs)
    if (invalid) return googleError('INVALID_ARGUMENT', invalid)
    state.setState(fn, 'DEPLOYING')
    const operation = state.startOperation(location, 'update', fn.resource.name, {
      resource: body,
      eventTrigger: !!next.eventTrigger,
    })
    rollOut(fn, next, operation)
    return asOperation(operation, url)
  }

  const remove = (location: string, fn: EmulatedFunction, url: URL) => {
    state.setState(fn, 'DELETING')
    const operation = state.startOperation(location, 'delete', fn.resource.name)
    operate(fn, operation, async () => async () => {
      state.functions.delete(fn.resource.name)
      state.servicePolicies.delete(fn.resource.serviceConfig.service)
      detachEventTrigger(fn, pubsub, gcs)
      await fn.revision?.sandbox.retire()
      state.finishOperation(operation, { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } })
    })
    return asOperation(operation, url)
  }

  const list = (location: string, url: URL) => {
    const pageSize = Math.min(Number(url.searchParams.get('pageSize')) || options.maxPageSize, options.maxPageSize)
    const offset = Number(url.searchParams.get('pageToken') || 0)
    const all = [...state.functions.values()].filter((fn) => fn.resource.name.startsWith(`${location}/`))
    all.sort((a, b) => (a.resource.name < b.resource.name ? -1 : 1))
    const page = all
      .slice(offset, offset + pageSize)
      .map((fn) => (wantsIntEnums(url) ? structuredClone(fn.resource) : functionWithNames(fn.resource)))
    const next = offset + pageSize < all.length ? String(offset + pageSize) : undefined
    return HttpResponse.json({ functions: page, ...(next ? { nextPageToken: next } : {}), unreachable: [] })
  }

  const generateUploadUrl = (location: string) => {
    const [, project, , region] = location.split('/')
    const bucket = `gcf-v2-uploads-${project}.${region}.cloudfunctions.appspot.com`
    const object = `${randomUUID()}.zip`
    state.uploads.set(`${bucket}/${object}`, undefined)
    const uploadUrl = `https://storage.googleapis.com/${bucket}/${object}?GoogleAccessId=emulator&Expires=${Math.floor(Date.now() / 1000) + 300}&Signature=emulated`
    return HttpResponse.json({ uploadUrl, storageSource: { bucket, object } })
  }

  /** Routes one request to the Cloud Functions v2 REST API. */
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (!request.headers.get('authorization')) {
      return googleError('UNAUTHENTICATED', 'Request is missing required authentication credential.')
    }
    const match = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+)\/(functions|operations)(?::(generateUploadUrl)|\/([^/]+))?$/.exec(
      url.pathname,
    )
    if (!match) return googleError('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`)
    const [, location = '', collection, action, id] = match
    const method = request.method
    if (collection === 'operations') {
      const operation = id && method === 'GET' ? state.operations.get(`${location}/operations/${id}`) : undefined
      return operation ? asOperation(operation, url) : googleError('NOT_FOUND', `Operation ${id} not found`)
    }
    if (action === 'generateUploadUrl' && method === 'POST') return generateUploadUrl(location)
    if (!id) {
      if (method === 'GET') return list(location, url)
      if (method === 'POST') return create(location, url, request)
      return googleError('INVALID_ARGUMENT', `Method ${method} is not allowed here`)
    }
    const fn = state.functions.get(`${location}/functions/${id}`)
    if (!fn) return googleError('NOT_FOUND', `Resource '${location}/functions/${id}' was not found`)
    if (method === 'GET') return asFunction(fn.resource, url)
    const busy = functionState(fn.resource.state)
    if (busy === 'DEPLOYING' || busy === 'DELETING') {
      return googleError(
        'ABORTED',
        `An operation on function ${fn.resource.name} is already in progress. Please try again later.`,
      )
    }
    if (method === 'PATCH') return update(location, fn, url, request)
    if (method === 'DELETE') return remove(location, fn, url)
    return googleError('INVALID_ARGUMENT', `Method ${method} is not allowed here`)
  }
}
