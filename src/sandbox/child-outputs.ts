import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'

/** What `outputsClosed` uses of a child process (a stand-in in tests). */
export type ChildOutputs = Pick<ChildProcess, 'stderr' | 'connected' | 'once'>

/**
 * Resolves once what an ended child wrote has been read: its stderr (V8's
 * out-of-memory message) and its IPC channel (an answer it sent just before
 * it exited). 'exit' comes from the child's signal, not its pipes, so it can
 * be handled before the last message on the channel: settling the requests
 * then lost an answer already sent (Azure's crash answer, under load). The
 * channel's 'disconnect' is emitted after every message before its end.
 *
 * `boundMs` is a hang guard (a grandchild may hold stderr open); when it
 * passes, output that became readable meanwhile is still read first: a host
 * starved of CPU wakes with the timer due and the pipes readable, and Node
 * runs due timers before it polls for I/O.
 */
export function outputsClosed(child: ChildOutputs, boundMs: number): Promise<void> {
  const waits: Array<Promise<unknown>> = []
  const stderr = child.stderr
  if (stderr && !stderr.readableEnded && !stderr.destroyed) waits.push(once(stderr, 'close'))
  if (child.connected) waits.push(once(child as ChildProcess, 'disconnect'))
  if (waits.length === 0) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => setImmediate(resolve), boundMs)
    timer.unref()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    // An 'error' on either (once() rejects on it) ends the wait too: there is nothing more to read.
    void Promise.all(waits).then(done, done)
  })
}
