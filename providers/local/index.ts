import { honourSignal } from '../../src/cancellation.ts'
import { type Cloud, createCloud } from '../../src/client.ts'
import { packageFile } from '../../src/package/package-root.ts'
import type { FunctionRecord, ProviderV1 } from '../../src/provider.ts'
import { expectPlainObject } from '../../src/validation.ts'
import { localCapabilities } from './capabilities.ts'
import { createLocalContext } from './context.ts'
import { deployFunction, removeFunction } from './deploy.ts'
import { collectGarbage } from './gc.ts'
import { invokeAsync, invokeSync } from './invoke.ts'
import { readLogs } from './logs.ts'
import { localRecords, planLocal } from './plan.ts'
import { type Isolation, type LocalSettings, resolveSettings } from './settings.ts'
import type { LocalStorage } from './storage.ts'
import type { LocalStore } from './store.ts'
import type { LocalTriggers } from './triggers.ts'

export type { Isolation, LocalSettings } from './settings.ts'
export { LocalStore } from './store.ts'

export interface LocalProvider extends ProviderV1 {
  readonly isolation: Isolation
  /** The fake's state, for tests that check side effects directly. */
  readonly store: LocalStore
  /** HTTP endpoints, schedules and queues of the deployed functions. */
  readonly triggers: LocalTriggers
}

/**
 * The in-process fake: deployments in memory (or, persisted, in a folder
 * other processes share), run inline or in worker threads, with HTTP,
 * schedule and queue triggers served by this process.
 */
export function createLocalProvider(settings: Omit<LocalSettings, 'retry'> = {}): LocalProvider {
  const resolved = resolveSettings(settings)
  const context = createLocalContext(resolved)
  const { store, triggers, persistence } = context
  /** `run` as a do* method that first counts the call as `operation` (what the probe's request count reads). */
  const counted =
    <A extends unknown[], R>(operation: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      store.record(operation)
      return run(...args)
    }

  return honourSignal({
    specificationVersion: 'v1',
    name: 'local',
    isolation: resolved.isolation,
    store,
    triggers,
    capabilities: localCapabilities(resolved.isolation),
    packaging: resolved.isolation === 'worker' ? { shimPath: packageFile('providers/local/shim.ts') } : undefined,
    providerOptionKeys: [],

    doDeploy: counted('deploy', (request) => deployFunction(context, request)),

    async doPlan(request) {
      store.record('plan')
      const records = await localRecords(context)
      const plan = planLocal(await context.hydrate(request.name), request, records, triggers.storage.list())
      // Deploy's ownership check (deploy.ts), run where deploy runs it: a plan refuses another function's queue as deploy does.
      if (plan.changes.length > 0) await triggers.assertQueueFree(request.name, request.trigger)
      return plan
    },

    async doGet(name) {
      store.record('get')
      const deployment = await context.hydrate(name)
      // A damaged folder is not found, with the reason and the way out.
      if (!deployment && context.damaged.has(name)) await context.deploymentOf(name)
      return deployment?.record
    },

    async doList() {
      store.record('list')
      if (!persistence) return [...store.deployments.values()].map((deployment) => deployment.record)
      const records: FunctionRecord[] = []
      // A damaged folder is left out, not fatal: gc removes it, deploy replaces it.
      for (const name of await persistence.names()) {
        const deployment = await context.hydrate(name)
        if (deployment) records.push(deployment.record)
      }
      return records
    },

    doInvoke: counted('invoke', (request) => invokeSync(context, request)),
    doInvokeAsync: counted('invokeAsync', (request) => invokeAsync(context, request)),
    doLogs: counted('logs', (request) => readLogs(context, request)),
    doRemove: counted('remove', (name) => removeFunction(context, name)),

    async doFetch(request) {
      store.record('fetch')
      await context.deploymentOf(request.record.name)
      return triggers.fetch(request)
    },

    async doSend(request) {
      store.record('send')
      await context.deploymentOf(request.name)
      const sent = triggers.send(request)
      // A persisted fake's queue lives in the sending process (the CLI's), which may exit next: deliver first.
      if (persistence) await triggers.queues.get(request.queue)?.queue.idle()
      return sent
    },

    async doPublish(request) {
      store.record('publish')
      // A persisted fake learns its subscribers by loading them: any saved function may read this topic.
      if (persistence) for (const name of await persistence.names()) await context.hydrate(name)
      const published = triggers.topics.publish(request)
      // As doSend: a persisted fake's subscribers run in the publishing process, which may exit next.
      if (persistence) await triggers.topics.idle(request.topic)
      return published
    },

    doGc(options, callOptions) {
      return collectGarbage(context, this, options, callOptions)
    },
  })
}

/** The in-process fake: the neutral API on top of the local provider. */
export function local(
  settings: LocalSettings = {},
): Cloud & { readonly store: LocalStore; readonly triggers: LocalTriggers; readonly storage: LocalStorage } {
  const { retry, ...providerSettings } = expectPlainObject(settings, 'settings') as LocalSettings
  const provider = createLocalProvider(providerSettings)
  return Object.assign(createCloud(provider, retry === undefined ? {} : { retry }), {
    store: provider.store,
    triggers: provider.triggers,
    // Object storage whose changes start storage() functions: `cloud.storage.put(bucket, key, bytes)`.
    storage: provider.triggers.storage,
  })
}
