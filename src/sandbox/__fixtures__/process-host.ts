/** A sandbox script for the process sandbox's tests: each request names one behaviour. */
import { spawn } from 'node:child_process'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../serve.ts'

export interface HostData {
  loadDelayMs?: number
  failAtLoad?: boolean
  hangAtLoad?: boolean
}

export type HostOp =
  | { op: 'whoami' }
  | { op: 'sleep'; ms: number }
  | { op: 'exit'; code: number }
  /** Answers its pid, then the process exits before it reads another request (as a crashed worker ends after its grace). */
  | { op: 'answer-then-exit' }
  | { op: 'throw-later' }
  | { op: 'reject-later' }
  | { op: 'fill-memory' }
  | { op: 'chatter' }
  | { op: 'spin' }
  /** Starts a long-lived child process of the instance (a grandchild of the host) and answers its pid. */
  | { op: 'spawn'; inheritOutput?: boolean }

const data = (workerData ?? {}) as HostData
if (data.failAtLoad) throw new TypeError('boom at load')
if (data.hangAtLoad) await new Promise(() => {})
if (data.loadDelayMs) await new Promise((resolve) => setTimeout(resolve, data.loadDelayMs))

const held: unknown[] = []

serveSandbox<HostOp, unknown>(async (request) => {
  switch (request.op) {
    case 'whoami': {
      const threads = await import('node:worker_threads')
      return {
        pid: process.pid,
        cwd: process.cwd(),
        env: { ...process.env },
        epochHours: new Date(0).getHours(),
        workerData: threads.workerData,
        bytes: new Uint8Array([1, 2, 3]),
      }
    }
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, request.ms))
      return process.pid
    case 'exit':
      process.exit(request.code)
      break
    case 'answer-then-exit':
      // After the answer is written (it is, in this turn) and before the next poll for messages.
      setImmediate(() => process.exit(0))
      return process.pid
    case 'throw-later':
      setTimeout(() => {
        throw new RangeError('thrown in a timer')
      }, 1)
      return new Promise(() => {})
    case 'reject-later':
      void Promise.reject(new SyntaxError('rejected, unhandled'))
      return new Promise(() => {})
    case 'chatter':
      // The user's own use of the IPC channel.
      process.send?.(5)
      process.send?.({ type: 'other' })
      return 'answered'
    case 'spawn': {
      // By absolute path: the instance's environment has no PATH. Inherited output holds the instance's pipes.
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], {
        stdio: request.inheritOutput ? 'inherit' : 'ignore',
      })
      child.unref()
      return child.pid
    }
    case 'spin':
      // Never yields: the instance only ends if someone kills it.
      for (;;) held.length = 0
    case 'fill-memory':
      for (;;) held.push(new Array(100_000).fill(held.length))
  }
  return undefined
})
