import { parentPort } from 'node:worker_threads'
import { PROCESS_SANDBOX_MARK, type ProcessSignal, type SandboxReply, type SandboxRequest } from './protocol.ts'

/**
 * Instance side of a sandbox: answers each request with `handle`'s result.
 * Runs in a worker thread (worker sandbox) or in a child process started by
 * process-bootstrap.ts (process sandbox), where it answers over the IPC
 * channel and tells the host it is ready. The host decides how many requests
 * an instance has at once. Bundled into artifacts and emulator host scripts.
 */
export function serveSandbox<M, R>(handle: (message: M) => Promise<R>): void {
  const port = parentPort
  if (port) {
    port.on('message', async (request: SandboxRequest<M>) => {
      const reply: SandboxReply<R> = { id: request.id, result: await handle(request.message) }
      port.postMessage(reply)
    })
    // Loaded: the worker sandbox starts the function's timeout from here, as the process sandbox does.
    const ready: ProcessSignal = { type: 'ready' }
    port.postMessage(ready)
    return
  }
  const send = process.send?.bind(process)
  if (!send || (globalThis as Record<symbol, unknown>)[PROCESS_SANDBOX_MARK] !== true) {
    throw new Error('serveSandbox must run in a sandbox worker thread or child process')
  }
  process.on('message', (request: SandboxRequest<M>) => {
    if (typeof request?.id !== 'number') return
    // Acknowledged, and the acknowledgement written out, before the request runs: a request the host sent to an
    // instance that ended before reading it (the host had not yet seen the end) is one that never started, which
    // the host hands to another instance (process-sandbox.ts); one acknowledged and then lost is the instance's crash.
    const received: ProcessSignal = { type: 'received', id: request.id }
    send(received, async (error: Error | null) => {
      if (error) return // the channel closed: the host is gone, no one to answer
      const reply: SandboxReply<R> = { id: request.id, result: await handle(request.message) }
      send(reply)
    })
  })
  ;(globalThis as Record<symbol, unknown>)[PROCESS_SANDBOX_MARK] = 'serving'
  const ready: ProcessSignal = { type: 'ready' }
  send(ready)
}
