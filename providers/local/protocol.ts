import type { LogEntry } from '../../src/provider.ts'

/** Messages between the local host (main thread) and the shim in a worker. */
export interface InvokeMessage {
  id: number
  payload: string
  executionId: string
  deadline: number
}

export interface ResultMessage {
  id: number
  envelope: string
  logs: LogEntry[]
}

/** `workerData` the host gives the worker so the shim knows it runs under the local fake. */
export const LOCAL_WORKER_MARK = 'cloudfn-local-worker'
