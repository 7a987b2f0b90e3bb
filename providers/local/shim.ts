/**
 * Runs inside a worker thread of the local fake, bundled with the user's
 * function: the equivalent of a cloud's runtime bootstrap. It receives
 * invocations from the host, runs them one at a time, and answers with the
 * envelope and the execution's log lines.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { LogEntry } from '../../src/provider.ts'
import { withConsoleCapture } from '../../src/runtime/console-capture.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import { type InvokeMessage, LOCAL_WORKER_MARK, type ResultMessage } from './protocol.ts'

export function createEntry(definition: RunnableDefinition): undefined {
  const port = parentPort
  if (isMainThread || !port || workerData !== LOCAL_WORKER_MARK) return undefined
  let coldStart = true
  port.on('message', async (message: InvokeMessage) => {
    const logs: LogEntry[] = []
    const sink = (level: LogEntry['level'], text: string) =>
      logs.push({ timestamp: new Date().toISOString(), executionId: message.executionId, level, message: text })
    const options = { executionId: message.executionId, coldStart, deadline: message.deadline, log: sink }
    coldStart = false
    const envelope = await withConsoleCapture(sink, () => runDefinition(definition, message.payload, options))
    const result: ResultMessage = { id: message.id, envelope, logs }
    port.postMessage(result)
  })
  return undefined
}
