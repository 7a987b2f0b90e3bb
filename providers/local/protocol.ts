import type { LogEntry } from '../../src/provider.ts'

/** What the local host sends the shim in a worker, and what it answers. */
export interface LocalInvocation {
  payload: string
  executionId: string
  deadline: number
}

export interface LocalResult {
  envelope: string
  logs: LogEntry[]
}

/** `workerData` the host gives the worker so the shim knows it runs under the local fake. */
export const LOCAL_WORKER_MARK = 'cloudfn-local-worker'
