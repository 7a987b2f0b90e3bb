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
 * The bounds are hang guards. `stderrMs` is short: a grandchild may hold
 * stderr open, and only V8's out-of-memory message is wanted from it.
 * `channelMs` is long: the channel closes as soon as the host reads the end
 * of a dead child's socket (its group is killed, so nothing else holds it),
 * and giving up on it early would misjudge a request the child had already
 * acknowledged as never delivered, and run it twice. When a bound passes,
 * output that became readable meanwhile is still read first: a host starved
 * of CPU wakes with the timer due and the pipes readable, and Node runs due
 * timers before it polls for I/O.
 */
export function outputsClosed(child: ChildOutputs, bounds: { stderrMs: number; channelMs: number }): Promise<void> {
  const stderr = child.stderr
  const waits: Array<Promise<void>> = []
  if (stderr && !stderr.readableEnded && !stderr.destroyed) waits.push(closedWithin(once(stderr, 'close'), bounds.stderrMs))
  if (child.connected) waits.push(closedWithin(once(child as ChildProcess, 'disconnect'), bounds.channelMs))
  return Promise.all(waits).then(() => undefined)
}

/** Resolves when `closed` settles (an 'error', on which once() rejects, ends the wait too: nothing more to read) or `boundMs` passes. */
function closedWithin(closed: Promise<unknown>, boundMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => setImmediate(resolve), boundMs)
    timer.unref()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    void closed.then(done, done)
  })
}
