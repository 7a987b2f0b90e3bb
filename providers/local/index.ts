import { createHash, randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { honourSignal } from '../../src/cancellation.ts'
import { type Cloud, type CloudSettings, createCloud } from '../../src/client.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { collect, collectFunctions } from '../../src/gc.ts'
import { packageFile } from '../../src/package/package-root.ts'
import type { DeployRequest, DeployResponse, FunctionRecord, ProviderCapabilities, ProviderV1 } from '../../src/provider.ts'
import { unpackArtifact } from '../../src/sandbox/artifact-dir.ts'
import { systemClock, type TriggerClock } from '../../src/triggers/clock.ts'
import { expectKnownKeys, expectPlainObject, expectString, fail, integerOr } from '../../src/validation.ts'
import { createInlineRunner } from './inline-runner.ts'
import { LocalPersistence } from './persistence.ts'
import type { Runner, RunnerSettings } from './runner.ts'
import { type LocalDeployment, LocalStore } from './store.ts'
import { unpackedLeftovers } from './temp-leftovers.ts'
import { LocalTriggers } from './triggers.ts'
import { createWorkerRunner } from './worker-runner.ts'

export { LocalStore } from './store.ts'

export type Isolation = 'inline' | 'worker'

export interface LocalSettings extends CloudSettings {
  /**
   * `inline` (default) calls handlers in this thread: fastest, for unit tests.
   * `worker` packages the function and runs the artifact in worker threads
   * with the timeout and memory limit enforced, as a cloud does.
   */
  isolation?: Isolation
  /** Concurrent executions per function before `ThrottledError` (default 100). */
  maxInstances?: number
  /**
   * Keep deployments in this folder so other processes reach them (worker
   * isolation only: inline handlers cannot be saved). The CLI uses `.cloudfn/local`.
   */
  persistDir?: string
  /**
   * Time for schedule triggers (default: the system clock). Pass
   * `createManualClock()` from `cloudfn/testing` to fire schedules with
   * `clock.advance(ms)` instead of waiting.
   */
  clock?: TriggerClock
  /** Pause before a failed queue message is delivered again (default 10 ms). */
  queueRetryDelayMs?: number
}

const MB = 1024 * 1024

/**
 * Execution ids shaped like the UUIDs Lambda uses as request ids: a random
 * UUID per process with its last 12 hex digits counting, unique within the
 * process and (by the random part) across processes. `randomUUID()` per call
 * cost about 4 % of an inline invoke.
 */
const idPrefix = randomUUID().slice(0, 24)
let idCounter = 0
function nextExecutionId(): string {
  idCounter = (idCounter + 1) % 0x1000000000000
  return idPrefix + idCounter.toString(16).padStart(12, '0')
}

/** The local fake mirrors AWS Lambda's synchronous limits, the tightest of the clouds. */
function capabilitiesFor(isolation: Isolation): ProviderCapabilities {
  return {
    asyncInvoke: true,
    triggers: {
      http: { auth: ['public', 'key', 'iam'] },
      schedule: { timezones: true },
      queue: { maxBatchSize: 10, maxRetries: { min: 0, max: 100 }, namedDeadLetter: true, maxMessageBytes: 1 * MB },
    },
    logs: true,
    coldStartReport: true,
    memoryLimit: isolation === 'worker',
    timeoutKills: isolation === 'worker',
    maxRequestBytes: 6 * MB,
    maxResponseBytes: 6 * MB,
    maxAsyncRequestBytes: 1 * MB,
    memoryMb: { min: 128, max: 10240 },
    timeoutSec: { min: 1, max: 3600 },
    // No price table: billed nothing, billedMs the measured duration rounded up to 1 ms (src/cost NO_CHARGE_RULE).
    billedDuration: 'estimated',
  }
}

export interface LocalProvider extends ProviderV1 {
  readonly isolation: Isolation
  /** The fake's state, for tests that check side effects directly. */
  readonly store: LocalStore
  /** HTTP endpoints, schedules and queues of the deployed functions. */
  readonly triggers: LocalTriggers
}

export function createLocalProvider(settings: Omit<LocalSettings, 'retry'> = {}): LocalProvider {
  const checked = expectPlainObject(settings, 'settings')
  expectKnownKeys(checked, ['isolation', 'maxInstances', 'persistDir', 'clock', 'queueRetryDelayMs'], 'settings')
  const isolation = settings.isolation ?? 'inline'
  if (isolation !== 'inline' && isolation !== 'worker')
    fail('settings.isolation', `must be 'inline' or 'worker' (got ${JSON.stringify(isolation)})`)
  const maxInstances = integerOr(settings.maxInstances, 100, 'settings.maxInstances', 1, 1000)
  if (settings.persistDir !== undefined) {
    expectString(settings.persistDir, 'settings.persistDir')
    if (isolation !== 'worker') fail('settings.persistDir', "needs isolation 'worker' (inline handlers cannot be saved)")
  }
  const persistence = settings.persistDir === undefined ? undefined : new LocalPersistence(resolve(settings.persistDir))
  const store = new LocalStore()
  const clock = checkClock(settings.clock)
  const queueRetryDelayMs = integerOr(settings.queueRetryDelayMs, 10, 'settings.queueRetryDelayMs', 0, 60_000, ' ms')

  const settingsFor = (
    name: string,
    memoryMb: number,
    timeoutSec: number,
    env: Readonly<Record<string, string>>,
  ): RunnerSettings => ({
    name,
    memoryMb,
    timeoutSec,
    env,
    maxInstances,
  })

  /** Why a persisted function cannot be loaded, by name, for the NotFound message. */
  const damaged = new Map<string, string>()

  /**
   * The deployment as it stands: in memory, or (persisted) as on disk, which
   * another process may have changed. A deployment loaded from disk runs from
   * its artifact.
   */
  /** Loads in progress, by name: concurrent calls share one, so one version never gets two runners. */
  const loading = new Map<string, Promise<LocalDeployment | undefined>>()
  const hydrate = (name: string): Promise<LocalDeployment | undefined> => {
    const pending = loading.get(name)
    if (pending) return pending
    const load = hydrateNow(name).finally(() => loading.delete(name))
    loading.set(name, load)
    return load
  }

  const hydrateNow = async (name: string): Promise<LocalDeployment | undefined> => {
    const known = store.deployments.get(name)
    if (!persistence) return known
    const loaded = await persistence.load(name)
    if (loaded.kind !== 'deployed') {
      if (loaded.kind === 'damaged') damaged.set(name, loaded.reason)
      if (known) await forget(name, known)
      return undefined
    }
    damaged.delete(name)
    const { record, env, artifact } = loaded.deployment
    if (known && sameVersion(known.record, record)) return known
    const runner = createWorkerRunner(await unpackArtifact(artifact), settingsFor(name, record.memoryMb, record.timeoutSec, env))
    const deployment: LocalDeployment = { record, definition: undefined, runner }
    store.deployments.set(name, deployment)
    // The URL of an HTTP function belongs to the process serving it.
    deployment.record = { ...record, url: await triggers.attach(name, record.trigger) }
    // Calls in flight finish on the version another process replaced.
    if (known) void known.runner.retire()
    return deployment
  }

  /** Drops a deployment another process removed (or left damaged). */
  const forget = async (name: string, known: LocalDeployment) => {
    store.deployments.delete(name)
    await triggers.detach(name)
    void known.runner.retire()
  }

  /** Persisted changes take the function's lock, so concurrent deploys (other processes included) take turns. */
  const exclusive = <T>(name: string, task: () => Promise<T>): Promise<T> =>
    persistence ? persistence.withLock(name, task) : task()

  const deploymentOf = async (name: string) => {
    const deployment = await hydrate(name)
    if (!deployment) {
      const reason = damaged.get(name)
      throw new NotFoundError({
        provider: 'local',
        resource: name,
        message: reason
          ? `Function '${name}' on local cannot be loaded (${reason}); deploy it again, or run gc to remove it`
          : `Function '${name}' is not deployed on local; deploy it first`,
      })
    }
    return deployment
  }

  const runInvocation = async (name: string, payload: string, executionId: string) => {
    // Without persistence the deployment is in memory: no load to share, so no promise per call (inline hot path).
    const known = persistence ? undefined : store.deployments.get(name)
    const { runner } = known ?? (await deploymentOf(name))
    const outcome = await runner.run(payload, executionId, () => store.countExecution(name))
    store.appendLogs(name, outcome.logs)
    if (persistence) await persistence.appendLogs(name, outcome.logs)
    return outcome
  }
  const triggers = new LocalTriggers({
    execute: runInvocation,
    log: (name, entry) => {
      store.appendLogs(name, [entry])
      void persistence?.appendLogs(name, [entry])
    },
    clock,
    queueRetryDelayMs,
  })

  const deploy = async (request: DeployRequest): Promise<{ response: DeployResponse; replaced: LocalDeployment | undefined }> => {
    // Compared with what is on disk now (another process may have deployed since), under the lock:
    // a fresh read, not one an invoke started before the lock was taken.
    const existing = await hydrateNow(request.name)
    const codeHash = request.artifact?.sha256 ?? hashHandler(request.definition.handler)
    // Inline code has no artifact hash; the handler itself must be the same closure.
    const sameCode =
      existing?.record.codeHash === codeHash &&
      (request.artifact !== undefined || existing.definition?.handler === request.definition.handler)
    if (existing && sameCode && existing.record.configHash === request.configHash) {
      return { response: { record: existing.record, status: 'unchanged', warnings: [] }, replaced: undefined }
    }
    triggers.assertQueueFree(request.name, request.trigger)
    request.onStep?.(existing ? 'update' : 'create')
    request.onStep?.('upload')
    const runnerSettings = settingsFor(request.name, request.memoryMb, request.timeoutSec, request.env)
    const runner: Runner = request.artifact
      ? createWorkerRunner(await unpackArtifact(request.artifact), runnerSettings)
      : createInlineRunner({ ...request.definition, trigger: request.trigger }, runnerSettings)
    const record: FunctionRecord = {
      name: request.name,
      provider: 'local',
      memoryMb: request.memoryMb,
      timeoutSec: request.timeoutSec,
      envKeys: Object.keys(request.env).sort(),
      codeHash,
      configHash: request.configHash,
      trigger: request.trigger,
      updatedAt: new Date().toISOString(),
    }
    // The commit point: until the record is replaced on disk, every process still sees the old version.
    if (persistence && request.artifact) await persistence.save({ record, env: { ...request.env }, artifact: request.artifact })
    store.deployments.set(request.name, { record, definition: request.definition, runner })
    record.url = await triggers.attach(request.name, request.trigger)
    // A persisted fake serves HTTP from whichever process loads it: this URL ends with this process.
    const warnings =
      persistence && record.url
        ? [
            {
              setting: 'trigger',
              message: `${record.url} is served by this process only; use fetch() or run the server in a long-lived process`,
            },
          ]
        : []
    return { response: { record, status: existing ? 'updated' : 'created', warnings }, replaced: existing }
  }

  return honourSignal({
    specificationVersion: 'v1',
    name: 'local',
    isolation,
    store,
    triggers,
    capabilities: capabilitiesFor(isolation),
    packaging: isolation === 'worker' ? { shimPath: packageFile('providers/local/shim.ts') } : undefined,
    providerOptionKeys: [],

    async doDeploy(request) {
      store.record('deploy')
      const { response, replaced } = await exclusive(request.name, () => deploy(request))
      // Calls in flight finish on the old version, as during a cloud update; waited for outside the lock.
      await replaced?.runner.retire()
      return response
    },

    async doGet(name) {
      store.record('get')
      const deployment = await hydrate(name)
      // A damaged folder is not found, with the reason and the way out.
      if (!deployment && damaged.has(name)) await deploymentOf(name)
      return deployment?.record
    },

    async doList() {
      store.record('list')
      if (!persistence) return [...store.deployments.values()].map((deployment) => deployment.record)
      const records: FunctionRecord[] = []
      // A damaged folder is left out, not fatal: gc removes it, deploy replaces it.
      for (const name of await persistence.names()) {
        const deployment = await hydrate(name)
        if (deployment) records.push(deployment.record)
      }
      return records
    },

    async doInvoke(request) {
      store.record('invoke')
      const outcome = await runInvocation(request.name, request.payload, nextExecutionId())
      return { envelope: outcome.envelope, logs: request.includeLogs ? outcome.logs : undefined }
    },

    async doInvokeAsync(request) {
      store.record('invokeAsync')
      await deploymentOf(request.name)
      const executionId = randomUUID()
      // Queued like a cloud's async invoke: at-least-once, failures only in the logs.
      void runQueued(() => runInvocation(request.name, request.payload, executionId))
      return { executionId }
    },

    async doLogs(request) {
      store.record('logs')
      await deploymentOf(request.name)
      const all = persistence ? await persistence.logs(request.name) : (store.logs.get(request.name) ?? [])
      const entries = all.filter((entry) => !request.since || entry.timestamp >= request.since)
      return request.limit === undefined ? [...entries] : entries.slice(-request.limit)
    },

    async doRemove(name) {
      store.record('remove')
      return exclusive(name, async () => {
        const existing = await hydrateNow(name)
        if (!existing) {
          // A damaged folder is removed like a deployment: `rm` is how a user clears it by name.
          if (!persistence || !damaged.has(name)) return { removed: false }
          await persistence.remove(name)
          damaged.delete(name)
          return { removed: true }
        }
        store.deployments.delete(name)
        await triggers.detach(name)
        await persistence?.remove(name)
        await existing.runner.retire()
        return { removed: true }
      })
    },

    async doFetch(request) {
      store.record('fetch')
      await deploymentOf(request.record.name)
      return triggers.fetch(request)
    },

    async doSend(request) {
      store.record('send')
      await deploymentOf(request.name)
      const sent = triggers.send(request)
      // A persisted fake's queue lives in the sending process (the CLI's), which may exit next: deliver first.
      if (persistence) await triggers.queues.get(request.queue)?.queue.idle()
      return sent
    },

    // Old deployments by age; then (persisted) whatever killed processes left, at any age: nothing can use it.
    async doGc(options, callOptions) {
      const functions = await collectFunctions(this, options, callOptions)
      if (!persistence) return functions
      const leftovers = [...(await persistence.leftovers()), ...(await unpackedLeftovers(options.olderThanMs))]
      const rest = await collect(
        leftovers.map((leftover) => ({ ...leftover, changedAt: new Date(0).toISOString(), unused: true })),
        options,
      )
      return { removed: [...functions.removed, ...rest.removed], kept: [...functions.kept, ...rest.kept] }
    },
  })
}

/** Retries a queued execution while the function is throttled, as a cloud's event queue does. */
async function runQueued(run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await run()
      return
    } catch (error) {
      if ((error as { code?: string }).code !== 'Throttled') return
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)))
    }
  }
}

function checkClock(clock: unknown): TriggerClock {
  if (clock === undefined) return systemClock()
  const candidate = clock as Partial<TriggerClock> | null
  if (typeof candidate?.now !== 'function' || typeof candidate.every !== 'function') {
    fail('settings.clock', 'must be a clock from createManualClock() (cloudfn/testing)')
  }
  return candidate as TriggerClock
}

/** Whether two records describe the same deployed version (a reload from disk keeps the running one). */
function sameVersion(a: FunctionRecord, b: FunctionRecord): boolean {
  return a.codeHash === b.codeHash && a.configHash === b.configHash && a.updatedAt === b.updatedAt
}

function hashHandler(handler: unknown): string {
  return createHash('sha256').update(String(handler)).digest('hex')
}

/** The in-process fake: the neutral API on top of the local provider. */
export function local(settings: LocalSettings = {}): Cloud & { readonly store: LocalStore; readonly triggers: LocalTriggers } {
  const { retry, ...providerSettings } = expectPlainObject(settings, 'settings') as LocalSettings
  const provider = createLocalProvider(providerSettings)
  return Object.assign(createCloud(provider, retry === undefined ? {} : { retry }), {
    store: provider.store,
    triggers: provider.triggers,
  })
}
