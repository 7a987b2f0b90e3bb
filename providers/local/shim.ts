/**
 * Runs inside a worker thread of the local fake, bundled with the user's
 * function: the equivalent of a cloud's runtime bootstrap. It receives
 * invocations from the host, runs them one at a time, and answers with the
 * envelope and the execution's log lines.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { LogEntry } from '../../src/provider.ts'
import { type LogSink, routeConsole } from '../../src/runtime/console-capture.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import { type InvokeMessage, LOCAL_WORKER_MARK, type ResultMessage } from './protocol.ts'

export function createEntry(definition: RunnableDefinition): undefined {
  const port = parentPort
  if (isMainThread || !port || workerData !== LOCAL_WORKER_MARK) return undefined
  let coldStart = true
  // The host sends one execution at a time, so a variable tracks the current one.
  let sink: LogSink | undefined
  routeConsole(() => sink)
  port.on('message', async (message: InvokeMessage) => {
    const logs: LogEntry[] = []
    sink = (level, text) =>
      logs.push({ timestamp: new Date().toISOString(), executionId: message.executionId, level, message: text })
    const options = { executionId: message.executionId, coldStart, deadline: message.deadline, log: sink }
    coldStart = false
    const envelope = await runDefinition(definition, message.payload, options)
    sink = undefined
    const result: ResultMessage = { id: message.id, envelope, logs }
    port.postMessage(result)
  })
  return undefined
}
