import type { FunctionDefinition } from '../../src/define.ts'
import type { FunctionRecord, LogEntry } from '../../src/provider.ts'
import type { Runner } from './runner.ts'

export interface LocalDeployment {
  record: FunctionRecord
  /** Absent for deployments brought back from disk (they run from their artifact). */
  definition: FunctionDefinition<never, unknown> | undefined
  runner: Runner
}

const MAX_LOG_ENTRIES = 1000

/**
 * Everything the local fake knows, kept apart from the API so that tests (and
 * the conformance probes) can check side effects without going through it.
 */
export class LocalStore {
  readonly deployments = new Map<string, LocalDeployment>()
  /** Log lines by function name; kept after removal, as cloud log groups may be. */
  readonly logs = new Map<string, LogEntry[]>()
  /** Executions started, by function name: proves what ran and how often. */
  readonly executions = new Map<string, number>()
  /** Requests that reached the fake since it was created. */
  requestCount = 0
  /** The same, by operation (`deploy`, `invoke`, ...). */
  readonly requestsByOperation = new Map<string, number>()

  record(operation: string): void {
    this.requestCount++
    this.requestsByOperation.set(operation, (this.requestsByOperation.get(operation) ?? 0) + 1)
  }

  countExecution(name: string): void {
    this.executions.set(name, (this.executions.get(name) ?? 0) + 1)
  }

  appendLogs(name: string, entries: readonly LogEntry[]): void {
    if (entries.length === 0) return
    const list = this.logs.get(name) ?? []
    list.push(...entries)
    if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES)
    this.logs.set(name, list)
  }
}
