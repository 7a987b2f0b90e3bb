import type { LogEntry } from '../../src/provider.ts'

/** Executes one deployed version of a function; inline and worker isolation implement it. */
export interface Runner {
  /** `onStart` is called once an instance has accepted the call (a throttled call never starts). */
  run(payload: string, executionId: string, onStart: () => void): Promise<RunOutcome>
  /** The version was replaced or removed: stop instances once their calls finish. */
  retire(): Promise<void>
}

export interface RunOutcome {
  envelope: string
  logs: LogEntry[]
}

export interface RunnerSettings {
  name: string
  memoryMb: number
  timeoutSec: number
  env: Readonly<Record<string, string>>
  maxInstances: number
}
