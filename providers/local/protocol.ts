import type { LogEntry } from '../../src/provider.ts'

/** What the local host sends the shim in a worker, and what it answers. */
export interface LocalInvocation {
  payload: string
  executionId: string
  deadline: number
  /** The name deployed under, which `ctx.functionName` reports (the bundle knows only the definition's). */
  functionName: string
}

export interface LocalResult {
  envelope: string
  logs: LogEntry[]
}

/** `workerData` the host gives the worker so the shim knows it runs under the local fake. */
export const LOCAL_WORKER_MARK = 'cloudfn-local-worker'
