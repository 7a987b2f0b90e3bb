import type { FunctionRecord } from '../../src/provider.ts'
import { unpackArtifact } from '../../src/sandbox/artifact-dir.ts'
import { notDeployed } from './errors.ts'
import { runInvocation } from './invoke.ts'
import { LocalPersistence } from './persistence.ts'
import type { RunnerSettings } from './runner.ts'
import type { ResolvedLocalSettings } from './settings.ts'
import { type LocalDeployment, LocalStore } from './store.ts'
import { LocalTriggers } from './triggers.ts'
import { createWorkerRunner } from './worker-runner.ts'

/** What every part of the local provider shares: its settings, the deployments (in memory and on disk) and the triggers. */
export interface LocalContext {
  readonly settings: ResolvedLocalSettings
  readonly store: LocalStore
  /** Absent when deployments live in memory only. */
  readonly persistence: LocalPersistence | undefined
  readonly triggers: LocalTriggers
  /** Why a persisted function cannot be loaded, by name, for the NotFound message. */
  readonly damaged: Map<string, string>
  /** The deployment as it stands; concurrent calls share one load, so one version never gets two runners. */
  hydrate(name: string): Promise<LocalDeployment | undefined>
  /** The same, read fresh (under the function's lock: not a load an invoke started before the lock was taken). */
  hydrateNow(name: string): Promise<LocalDeployment | undefined>
  /** The deployment, or `NotFoundError` (with the reason a damaged one cannot be loaded). */
  deploymentOf(name: string): Promise<LocalDeployment>
  /** Persisted changes take the function's lock, so concurrent deploys (other processes included) take turns. */
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T>
  runnerSettings(
    name: string,
    memoryMb: number,
    timeoutSec: number,
    env: Readonly<Record<string, string>>,
    ceiling: number | undefined,
  ): RunnerSettings
}

export function createLocalContext(settings: ResolvedLocalSettings): LocalContext {
  const persistence = settings.persistDir === undefined ? undefined : new LocalPersistence(settings.persistDir)
  const store = new LocalStore()
  const damaged = new Map<string, string>()
  const loading = new Map<string, Promise<LocalDeployment | undefined>>()

  const runnerSettings: LocalContext['runnerSettings'] = (name, memoryMb, timeoutSec, env, ceiling) => ({
    name,
    memoryMb,
    timeoutSec,
    env,
    // The function's own maxInstances, else the fake's: beyond it a call is Throttled, as on a cloud.
    maxInstances: ceiling ?? settings.maxInstances,
  })

  /**
   * The deployment as it stands: in memory, or (persisted) as on disk, which
   * another process may have changed. A deployment loaded from disk runs from
   * its artifact.
   */
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
    const runner = createWorkerRunner(
      await unpackArtifact(artifact),
      runnerSettings(name, record.memoryMb, record.timeoutSec, env, record.maxInstances),
    )
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

  // The triggers run functions through the context (used once both exist).
  const triggers = new LocalTriggers({
    execute: (name, payload, executionId) => runInvocation(context, name, payload, executionId),
    log: (name, entry) => {
      store.appendLogs(name, [entry])
      void persistence?.appendLogs(name, [entry])
    },
    clock: settings.clock,
    queueRetryDelayMs: settings.queueRetryDelayMs,
  })
  const context: LocalContext = {
    settings,
    store,
    persistence,
    damaged,
    triggers,
    hydrate(name) {
      const pending = loading.get(name)
      if (pending) return pending
      const load = hydrateNow(name).finally(() => loading.delete(name))
      loading.set(name, load)
      return load
    },
    hydrateNow,
    async deploymentOf(name) {
      const deployment = await context.hydrate(name)
      if (!deployment) throw notDeployed(name, damaged.get(name))
      return deployment
    },
    exclusive: (name, task) => (persistence ? persistence.withLock(name, task) : task()),
    runnerSettings,
  }
  return context
}

/** Whether two records describe the same deployed version (a reload from disk keeps the running one). */
function sameVersion(a: FunctionRecord, b: FunctionRecord): boolean {
  return a.codeHash === b.codeHash && a.configHash === b.configHash && a.updatedAt === b.updatedAt
}
