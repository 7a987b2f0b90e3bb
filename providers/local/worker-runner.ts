import { failureEnvelope } from '../../src/runtime/envelope.ts'
import { createWorkerSandbox } from '../../src/sandbox/worker-sandbox.ts'
import { LOCAL_WORKER_MARK, type LocalInvocation, type LocalResult } from './protocol.ts'
import type { Runner, RunnerSettings } from './runner.ts'

/** Runs the packaged artifact in worker threads (see `createWorkerSandbox`), with the local shim answering. */
export function createWorkerRunner(entryFile: string, settings: RunnerSettings): Runner {
  const sandbox = createWorkerSandbox<LocalInvocation, LocalResult>({
    ...settings,
    provider: 'local',
    workerFile: entryFile,
    workerData: LOCAL_WORKER_MARK,
  })
  return {
    async run(payload, executionId, onStart) {
      const invocation: LocalInvocation = { payload, executionId, deadline: 0, functionName: settings.name }
      // The deadline starts once an instance takes the call, after its module loaded (not part of the timeout).
      const outcome = await sandbox.run(invocation, () => {
        invocation.deadline = Date.now() + settings.timeoutSec * 1000
        onStart?.()
      })
      if (outcome.kind === 'result') return outcome.result
      // Code that crashed without answering failed like a throwing handler does.
      const meta = { coldStart: outcome.coldStart, durationMs: 0, executionId }
      return { envelope: failureEnvelope(outcome.error, meta), logs: [] }
    },
    retire: () => sandbox.retire(),
  }
}
