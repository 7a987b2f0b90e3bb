import { randomUUID } from 'node:crypto'
import type { FunctionDefinition } from '../../src/define.ts'
import { TimeoutError } from '../../src/errors/timeout.ts'
import { projectRootOf } from '../../src/package/bundle-source-map.ts'
import type { LogEntry } from '../../src/provider.ts'
import { runInExecutionScope } from '../../src/provider-utils.ts'
import { projectStack } from '../../src/runtime/project-stack.ts'
import { runDefinitionNow } from '../../src/runtime/run-definition.ts'
import { InstancePool } from '../../src/sandbox/instance-pool.ts'
import { Deadlines } from './deadlines.ts'
import type { Runner, RunnerSettings } from './runner.ts'

interface InlineInstance {
  id: string
  coldStart: boolean
  /** Each instance has its own copy, as each worker or cloud instance does. */
  env: Record<string, string>
}

/** Calls the handler in this thread: fast, but cannot stop a runaway handler or cap its memory. */
export function createInlineRunner(definition: FunctionDefinition<never, unknown>, settings: RunnerSettings): Runner {
  const pool = new InstancePool<InlineInstance>({
    provider: 'local',
    functionName: settings.name,
    maxInstances: settings.maxInstances,
    create: async () => ({ id: randomUUID(), coldStart: true, env: { ...settings.env } }),
    destroy: () => {},
  })
  const runnable = { name: settings.name, handler: definition.handler, trigger: definition.trigger }
  // Stacks name the project's files as the bundled backends' do (src/runtime/source-map-stack.ts).
  const root = definition.entry ? projectRootOf(definition.entry) : undefined
  const mapStack = root ? (stack: string, runtimeFile: string) => projectStack(stack, root, runtimeFile) : undefined
  const deadlines = new Deadlines(settings.timeoutSec * 1000)
  const timedOut = () =>
    new TimeoutError({
      provider: 'local',
      timeoutSec: settings.timeoutSec,
      message: `Function '${settings.name}' timed out after ${settings.timeoutSec} s; raise timeoutSec or make it faster`,
    })
  return {
    async run(payload, executionId, onStart) {
      const acquired = pool.acquire()
      const instance = acquired instanceof Promise ? await acquired : acquired
      onStart()
      const logs: LogEntry[] = []
      const log = (level: LogEntry['level'], message: string) =>
        logs.push({ timestamp: new Date().toISOString(), executionId, level, message })
      const deadline = Date.now() + settings.timeoutSec * 1000
      const options = { executionId, coldStart: instance.coldStart, deadline, log, mapStack }
      instance.coldStart = false
      let discard = false
      try {
        // Inside the try: whatever escapes (it should not) still releases the instance.
        const execution = runInExecutionScope({ env: instance.env, log }, () => runDefinitionNow(runnable, payload, options))
        // A synchronous handler has answered already: nothing left to time out.
        if (typeof execution === 'string') return { envelope: execution, logs }
        const envelope = await new Promise<string>((resolve, reject) => {
          const done = deadlines.watch(() => {
            // The handler cannot be stopped in-process; its instance is never reused.
            discard = true
            reject(timedOut())
          })
          execution.then(
            (text) => {
              done()
              resolve(text)
            },
            (error: unknown) => {
              done()
              reject(error)
            },
          )
        })
        return { envelope, logs }
      } finally {
        // Inline instances are released synchronously: no extra turn of the microtask queue per call.
        const released = pool.release(instance, discard)
        if (released) await released
      }
    },
    retire: () => pool.retire(),
  }
}
