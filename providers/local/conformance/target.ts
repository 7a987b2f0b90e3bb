import { createInboxes } from '../../../conformance/inbox.ts'
import type { ConformanceTarget } from '../../../conformance/scenario.ts'
import { createCloud } from '../../../src/client.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { createLocalProvider, type Isolation, type LocalStore } from '../index.ts'
import { localForeignQueues } from './foreign-queues.ts'

/** Operations of the fake that only read (store.record names them); any other counts as a write. */
const LOCAL_READS = new Set(['get', 'list', 'logs', 'plan'])

function localWrites(store: LocalStore): number {
  let writes = 0
  for (const [operation, count] of store.requestsByOperation) if (!LOCAL_READS.has(operation)) writes += count
  return writes
}

/** The local fake in one isolation mode; the probe reads its store directly. */
export function localTarget(isolation: Isolation): ConformanceTarget {
  return {
    name: `local-${isolation}`,
    async setup() {
      // Schedules run on a clock the scenarios move; it starts off any 5-minute boundary.
      const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))
      const provider = createLocalProvider({ isolation, clock })
      const { store, triggers } = provider
      const inboxes = createInboxes()
      return {
        // Fast retries keep throttling scenarios quick; the policy itself is tested elsewhere.
        cloud: createCloud(provider, { retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 10 } }),
        probe: {
          exists: async (name) => store.deployments.has(name),
          executions: async (name) => store.executions.get(name) ?? 0,
          requestCount: async () => store.requestCount,
          writeCount: async () => localWrites(store),
          functionNames: async () => [...store.deployments.keys()],
          deadLetters: async (name) => triggers.deadLetters(name) ?? [],
          topicNames: async () => triggers.topics.list().map((topic) => topic.name),
        },
        clock,
        inbox: inboxes.open,
        handlersInProcess: isolation === 'inline',
        objects: {
          createBucket: async (bucket) => triggers.storage.createBucket(bucket),
          put: async (bucket, key, bytes) => triggers.storage.put(bucket, key, bytes),
          delete: async (bucket, key) => void triggers.storage.delete(bucket, key),
          bucketNames: async () => triggers.storage.list().map((bucket) => bucket.name),
        },
        foreignQueues: localForeignQueues(triggers),
        teardown: async () => {
          await triggers.close()
          for (const deployment of store.deployments.values()) await deployment.runner.retire()
          inboxes.close()
        },
      }
    },
  }
}
