/**
 * Runs inside a worker thread of the local fake, bundled with the user's
 * function: the equivalent of a cloud's runtime bootstrap. It receives
 * invocations from the host, runs them one at a time, and answers with the
 * envelope and the execution's log lines.
 */
import { isMainThread, workerData } from 'node:worker_threads'
import type { LogEntry } from '../../src/provider.ts'
import { type LogSink, routeConsole } from '../../src/runtime/console-capture.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import { serveSandbox } from '../../src/sandbox/serve.ts'
import { LOCAL_WORKER_MARK, type LocalInvocation, type LocalResult } from './protocol.ts'

export function createEntry(definition: RunnableDefinition): undefined {
  if (isMainThread || workerData !== LOCAL_WORKER_MARK) return undefined
  let coldStart = true
  // The host sends one execution at a time, so a variable tracks the current one.
  let sink: LogSink | undefined
  routeConsole(() => sink)
  serveSandbox<LocalInvocation, LocalResult>(async (invocation) => {
    const logs: LogEntry[] = []
    sink = (level, text) =>
      logs.push({ timestamp: new Date().toISOString(), executionId: invocation.executionId, level, message: text })
    const options = {
      executionId: invocation.executionId,
      functionName: invocation.functionName,
      coldStart,
      deadline: invocation.deadline,
      log: sink,
    }
    coldStart = false
    const envelope = await runDefinition(definition, invocation.payload, options)
    sink = undefined
    return { envelope, logs }
  })
  return undefined
}
