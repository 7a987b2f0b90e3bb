import { parentPort } from 'node:worker_threads'
import type { SandboxReply, SandboxRequest } from './protocol.ts'

/**
 * Worker side of a sandbox: answers each request with `handle`'s result. The
 * host sends one request at a time per worker, as a cloud sends one event at
 * a time to an instance. Bundled into artifacts and emulator host scripts.
 */
export function serveSandbox<M, R>(handle: (message: M) => Promise<R>): void {
  const port = parentPort
  if (!port) throw new Error('serveSandbox must run in a worker thread')
  port.on('message', async (request: SandboxRequest<M>) => {
    const reply: SandboxReply<R> = { id: request.id, result: await handle(request.message) }
    port.postMessage(reply)
  })
}
