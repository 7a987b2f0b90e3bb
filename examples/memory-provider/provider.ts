/**
 * An example third-party provider: runs functions in this process, keeping
 * deployed definitions in a Map. It imports cloudfn only by package name and
 * only through public subpaths (`cloudfn`, `cloudfn/provider-utils`): copy
 * this folder to start a provider for another cloud.
 */
import { createHash, randomUUID } from 'node:crypto'
import {
  type FunctionRecord,
  type LogEntry,
  NotFoundError,
  type ProviderCapabilities,
  type ProviderV1,
  TimeoutError,
} from 'cloudfn'
import {
  collectFunctions,
  deployedRecord,
  type RunnableDefinition,
  runDefinition,
  runInExecutionScope,
} from 'cloudfn/provider-utils'

const NAME = 'memory'
const MB = 1024 * 1024

/**
 * What this provider offers. No trigger, no memory limit, no hard timeout
 * (an in-process handler cannot be stopped): the conformance scenarios that
 * need them are then reported as not supported, never passed vacuously.
 */
const capabilities: ProviderCapabilities = {
  asyncInvoke: true,
  triggers: {},
  logs: true,
  coldStartReport: true,
  memoryLimit: false,
  timeoutKills: false,
  maxRequestBytes: 6 * MB,
  maxResponseBytes: 6 * MB,
  maxAsyncRequestBytes: 1 * MB,
  memoryMb: { min: 128, max: 10240 },
  timeoutSec: { min: 1, max: 900 },
}

interface Deployment {
  record: FunctionRecord
  runnable: RunnableDefinition
  env: Readonly<Record<string, string>>
  /** The first execution after a deploy is the cold start of its one "instance". */
  warm: boolean
  logs: LogEntry[]
}

/** The provider's state, exposed so a conformance probe can check side effects without the API under test. */
export interface MemoryState {
  deployments: Map<string, Deployment>
  executions: Map<string, number>
  requestCount: number
}

export interface MemoryProvider extends ProviderV1 {
  readonly state: MemoryState
}

export function createMemoryProvider(): MemoryProvider {
  const state: MemoryState = { deployments: new Map(), executions: new Map(), requestCount: 0 }

  const deployed = (name: string): Deployment => {
    const deployment = state.deployments.get(name)
    if (deployment) return deployment
    throw new NotFoundError({ provider: NAME, resource: name, message: `Function '${name}' is not deployed on ${NAME}` })
  }

  /** Runs one execution with the function's deadline; the envelope is built by the shared shim runtime. */
  const execute = async (name: string, payload: string, executionId: string): Promise<{ envelope: string; logs: LogEntry[] }> => {
    const deployment = deployed(name)
    state.executions.set(name, (state.executions.get(name) ?? 0) + 1)
    const timeoutMs = deployment.record.timeoutSec * 1000
    const logs: LogEntry[] = []
    const log = (level: LogEntry['level'], message: string) =>
      logs.push({ timestamp: new Date().toISOString(), executionId, level, message })
    const coldStart = !deployment.warm
    deployment.warm = true
    const options = { executionId, coldStart, deadline: Date.now() + timeoutMs, log }
    // Each execution gets a copy of the env, so one execution's writes never reach another.
    const run = runInExecutionScope({ env: { ...deployment.env }, log }, () =>
      runDefinition(deployment.runnable, payload, options),
    )
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The handler keeps running (nothing stops it in-process); the caller is answered now.
        reject(
          new TimeoutError({ provider: NAME, timeoutSec: deployment.record.timeoutSec, message: `Function '${name}' timed out` }),
        )
      }, timeoutMs)
    })
    try {
      const envelope = await Promise.race([run, timeout])
      return { envelope, logs }
    } finally {
      clearTimeout(timer)
      deployment.logs.push(...logs)
    }
  }

  return {
    specificationVersion: 'v1',
    name: NAME,
    capabilities,
    providerOptionKeys: [],
    state,

    async doDeploy(request) {
      state.requestCount++
      const existing = state.deployments.get(request.name)
      const handler = request.definition.handler
      const codeHash = createHash('sha256').update(String(handler)).digest('hex')
      if (existing?.runnable.handler === handler && existing.record.configHash === request.configHash) {
        return { record: existing.record, status: 'unchanged', warnings: [] }
      }
      request.onStep?.(existing ? 'update' : 'create')
      const record = deployedRecord(request, { provider: NAME, codeHash })
      const runnable: RunnableDefinition = { name: request.name, handler }
      state.deployments.set(request.name, { record, runnable, env: { ...request.env }, warm: false, logs: existing?.logs ?? [] })
      return { record, status: existing ? 'updated' : 'created', warnings: [] }
    },

    async doGet(name) {
      state.requestCount++
      return state.deployments.get(name)?.record
    },

    async doList() {
      state.requestCount++
      return [...state.deployments.values()].map((deployment) => deployment.record)
    },

    async doInvoke(request) {
      state.requestCount++
      const { envelope, logs } = await execute(request.name, request.payload, randomUUID())
      return { envelope, logs: request.includeLogs ? logs : undefined }
    },

    async doInvokeAsync(request) {
      state.requestCount++
      deployed(request.name)
      const executionId = randomUUID()
      // Fire and forget: failures only show in the logs, as on a cloud.
      void execute(request.name, request.payload, executionId).catch(() => {})
      return { executionId }
    },

    async doLogs(request) {
      state.requestCount++
      const entries = deployed(request.name).logs.filter((entry) => !request.since || entry.timestamp >= request.since)
      return request.limit === undefined ? entries : entries.slice(-request.limit)
    },

    async doRemove(name) {
      state.requestCount++
      return { removed: state.deployments.delete(name) }
    },

    async doGc(options, callOptions) {
      return collectFunctions(this, options, callOptions)
    },
  }
}
