import { randomUUID } from 'node:crypto'
import type { FunctionDefinition } from '../../src/define.ts'
import type { LogEntry } from '../../src/provider.ts'
import { withConsoleCapture } from '../../src/runtime/console-capture.ts'
import { runDefinition } from '../../src/runtime/run-definition.ts'
import { withFunctionEnv } from './inline-env.ts'
import { InstancePool } from './instance-pool.ts'
import { type Runner, type RunnerSettings, withTimeout } from './runner.ts'

interface InlineInstance {
  id: string
  coldStart: boolean
  /** Each instance has its own copy, as each worker or cloud instance does. */
  env: Record<string, string>
}

/** Calls the handler in this thread: fast, but cannot stop a runaway handler or cap its memory. */
export function createInlineRunner(definition: FunctionDefinition<never, unknown>, settings: RunnerSettings): Runner {
  const pool = new InstancePool<InlineInstance>({
    functionName: settings.name,
    maxInstances: settings.maxInstances,
    create: async () => ({ id: randomUUID(), coldStart: true, env: { ...settings.env } }),
    destroy: () => {},
  })
  return {
    async run(payload, executionId, onStart) {
      const instance = await pool.acquire()
      onStart()
      const logs: LogEntry[] = []
      const log = (level: LogEntry['level'], message: string) =>
        logs.push({ timestamp: new Date().toISOString(), executionId, level, message })
      const options = { executionId, coldStart: instance.coldStart, deadline: Date.now() + settings.timeoutSec * 1000, log }
      instance.coldStart = false
      const execution = withFunctionEnv(instance.env, () =>
        withConsoleCapture(log, () => runDefinition({ name: settings.name, handler: definition.handler }, payload, options)),
      )
      let discard = false
      try {
        const envelope = await withTimeout(execution, settings, () => {
          // The handler cannot be stopped in-process; its instance is never reused.
          discard = true
        })
        return { envelope, logs }
      } finally {
        await pool.release(instance, discard)
      }
    },
    retire: () => pool.retire(),
  }
}
