import type { RemoteError } from '../runtime/envelope.ts'

/** Messages between a sandbox host (main thread) and the script in its worker or child process. */
export interface SandboxRequest<M> {
  id: number
  message: M
}

export interface SandboxReply<R> {
  id: number
  result: R
}

/** Host → child process, once, before any request: the script to load and its `workerData`. */
export interface ProcessInit {
  type: 'init'
  file: string
  data: unknown
  /** Where V8 keeps compiled code between instances (`module.enableCompileCache`), or none. */
  compileCacheDir?: string
}

/** Child process → host, besides replies. */
export type ProcessSignal =
  /**
   * The bootstrap listens for `init`: the host sends it only then. An ES module's first code runs after its
   * loading yielded to the event loop, where a message sent at once can be read and dropped for want of a
   * listener (nodejs/node#34785, #41134); the instance then never starts and its deploy waits out the startup bound.
   */
  | { type: 'listening' }
  /** The script loaded and called `serveSandbox`: the instance takes requests. */
  | { type: 'ready' }
  /** The script failed to load, or an error escaped (the child exits next), as a worker's `error` event. */
  | { type: 'fatal'; error: RemoteError }
  /** The request reached the instance: sent before it runs, so an instance that ends without it never started it. */
  | { type: 'received'; id: number }

/** Set on `globalThis` by the process bootstrap, so `serveSandbox` answers over IPC. */
export const PROCESS_SANDBOX_MARK = Symbol.for('cloudfn.sandbox.process')
