/**
 * First code of a process-sandbox instance (a child process, see
 * process-sandbox.ts). It waits for the host's `init` message, then imports the
 * instance script (an emulator's host script) the way a worker thread would
 * start it, and reports what a worker's `error` event would: a script that
 * fails to load, or an error that escapes later (an uncaught exception or an
 * unhandled rejection), is sent to the host before the process exits with 1.
 */
import { createRequire, enableCompileCache, flushCompileCache, syncBuiltinESMExports } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { RemoteError } from '../runtime/envelope.ts'
import { PROCESS_SANDBOX_MARK, type ProcessInit, type ProcessSignal } from './protocol.ts'

const require = createRequire(import.meta.url)
const threads = require('node:worker_threads') as { workerData: unknown }
const globals = globalThis as Record<symbol, unknown>

/**
 * Host scripts read their settings as `workerData`, as they do in a worker
 * thread. Here it is set on the builtin module for the time the script loads
 * (`syncBuiltinESMExports` carries it to `import { workerData }`), then put
 * back to null, its value in a process's main thread, which is what the
 * user's code sees when it runs, as on a cloud.
 */
function setWorkerData(data: unknown): void {
  threads.workerData = data
  syncBuiltinESMExports()
}

function remote(thrown: unknown): RemoteError {
  if (thrown instanceof Error) return { name: thrown.name || 'Error', message: thrown.message, stack: thrown.stack }
  return { name: 'Error', message: String(thrown) }
}

function fatal(thrown: unknown): void {
  const signal: ProcessSignal = { type: 'fatal', error: remote(thrown) }
  // Exits once the message is out, so the host reports this error rather than a bare exit code.
  if (process.send && process.connected) process.send(signal, () => process.exit(1))
  else process.exit(1)
}

// With this listener an unhandled rejection also arrives here (Node's default mode `throw`).
// A host script that handles escaped errors itself, as a cloud's runtime does
// (the AWS host answers the invocation with it, per aws-lambda-ric), decides
// alone; this is the fallback for host scripts without one.
process.on('uncaughtException', (thrown) => {
  if (process.listenerCount('uncaughtException') > 1) return
  fatal(thrown)
})
/**
 * Ends this instance and every process its function spawned: the instance
 * leads a process group of its own (process-sandbox.ts), so the group is
 * killed; without one (Windows) the signal to a negative pid fails and only
 * this process ends. Self-contained: the watchdog thread runs its source.
 */
function endGroup(): void {
  try {
    process.kill(-process.pid, 'SIGKILL')
  } catch {
    process.kill(process.pid, 'SIGKILL')
  }
}
// The host closed the channel or died: an instance never outlives it, nor does what it spawned.
process.on('disconnect', endGroup)
// ...but a function stuck in a loop never sees 'disconnect', and a host killed
// outright (SIGKILL, a test runner's SIGTERM) runs no exit hook: a watchdog
// thread ends the instance once its host is gone (the child is re-parented).
// The host's pid is read here, not in the thread: on a loaded machine the
// thread took over a second to start, after its host had already died, and
// then took the new parent (pid 1) for the host and never fired.
const watchdog = new (require('node:worker_threads') as typeof import('node:worker_threads')).Worker(
  `const host = ${process.ppid}
   setInterval(() => { if (process.ppid !== host) (${endGroup.toString()})() }, 500)`,
  { eval: true, stdout: false, stderr: false },
)
watchdog.unref()

process.once('message', async (init: ProcessInit) => {
  globals[PROCESS_SANDBOX_MARK] = true
  // Every instance loads the same host script, framework and bundle: compiled once, read back after.
  if (init.compileCacheDir) enableCompileCache(init.compileCacheDir)
  setWorkerData(init.data)
  try {
    await import(pathToFileURL(init.file).href)
  } catch (error) {
    fatal(error)
    return
  } finally {
    setWorkerData(null)
  }
  if (globals[PROCESS_SANDBOX_MARK] !== 'serving') fatal(new Error(`${init.file} loaded without calling serveSandbox`))
  // Node writes the cache when a process exits, and instances are killed: written now, once loaded.
  else if (init.compileCacheDir) flushCompileCache()
})
// Only now may the host send init (see ProcessSignal 'listening').
process.send?.({ type: 'listening' } satisfies ProcessSignal)
