import { TimeoutError } from '../../src/errors/timeout.ts'
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

/** Resolves as `work` does, or rejects with `TimeoutError` (after calling `onTimeout`) when time runs out. */
export function withTimeout<T>(work: Promise<T>, settings: RunnerSettings, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout()
      reject(
        new TimeoutError({
          provider: 'local',
          timeoutSec: settings.timeoutSec,
          message: `Function '${settings.name}' timed out after ${settings.timeoutSec} s; raise timeoutSec or make it faster`,
        }),
      )
    }, settings.timeoutSec * 1000)
    work.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}
