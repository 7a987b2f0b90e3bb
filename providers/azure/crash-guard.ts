/**
 * Runs in Azure Functions, inside the shim. When the function's code crashes
 * the worker process (an uncaught exception, a process exit), the shim answers
 * the invocations in flight with a failure envelope before the process ends.
 *
 * Why: the Node worker ends its process on an uncaught exception
 * (github:Azure/azure-functions-nodejs-worker src/Worker.ts: its
 * `uncaughtException` listener logs "Worker uncaught exception" and calls
 * `process.exit(1)`), and the host then fails the invocation; the host's
 * ExceptionMiddleware (github:Azure/azure-functions-host
 * src/WebJobs.Script.WebHost/Middleware/ExceptionMiddleware.cs) answers any
 * failed request with a bare 500, its own failures ("An unhandled host error
 * has occurred.") included. A crash and a platform failure are the same bare
 * 500 at the wire; with this guard every failure of the function's code is
 * answered with the shim's envelope, so the provider reads a bare 500 as the
 * platform's (providers/azure/invoke.ts).
 *
 * Crashes it cannot answer (the instance killed for its memory, a native
 * crash, SIGKILL) stay bare 500s: reported as ProviderError (docs/FIDELITY.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { type RemoteError, toRemoteError } from '../../src/runtime/envelope.ts'

/**
 * How long the crashed process lives on so that the answers leave over the
 * worker's gRPC stream (the worker writes an invocation's response a few
 * microtasks after its handler settles). The host restarts the worker anyway.
 */
export const CRASH_GRACE_MS = 500
/**
 * The grace is counted in the process's own event-loop turns, one per this many
 * milliseconds at least, not in wall time: a worker starved of CPU by a loaded
 * machine used to wake with its 500 ms timer already due, and Node runs due
 * timers before the I/O that writes the answer, so the process ended with the
 * answer unsent (a bare 500, found by `npm test` beside a CPU hog). Each turn
 * has a poll phase, so the answers' writes get at least this many chances.
 */
const GRACE_TURN_MS = 10

/** Calls `end` after `turns` timer hops, each in its own event-loop turn: starvation delays them but cannot merge them. */
function afterTurns(turns: number, end: () => void): void {
  if (turns <= 0) end()
  else setTimeout(() => afterTurns(turns - 1, end), GRACE_TURN_MS)
}

export interface CrashGuard {
  /** True from a crash until the process ends: an invocation arriving now would die with it, unanswered. */
  readonly ending: boolean
  /**
   * Runs `execute` (one invocation); if the process crashes before it settles,
   * settles instead with `answer(error)`, the envelope reporting the crash.
   */
  run(execute: () => Promise<string>, answer: (error: RemoteError) => string): Promise<string>
}

/** Thrown by `process.exit` called by the function: it stops the caller's code, as an exit would. */
class ProcessExitRequested extends Error {
  override name = 'ProcessExitRequested'
}

/** What the guard uses of `process` (a stand-in in tests, where ending the process is not an option). */
export interface GuardedProcess {
  exit(code?: number | string | null): never
  exitCode?: number | string | null | undefined
  prependListener(event: 'uncaughtException', listener: (thrown: unknown) => void): unknown
}

let installed: CrashGuard | undefined

/** Installs the guard once per process: a listener first in line for uncaught exceptions, and a `process.exit` that answers first. */
export function installCrashGuard(): CrashGuard {
  installed ??= createCrashGuard(process)
  return installed
}

export function createCrashGuard(target: GuardedProcess, graceMs = CRASH_GRACE_MS): CrashGuard {
  const inFlight = new Set<(error: RemoteError) => void>()
  // Marks the function's own async context, so that an exit from the worker's code is never blamed on it.
  const invocation = new AsyncLocalStorage<true>()
  const exit = target.exit.bind(target)
  let crashing = false

  const crash = (error: RemoteError, code: number) => {
    crashing = true
    for (const fail of inFlight) fail(error)
    inFlight.clear()
    afterTurns(Math.ceil(graceMs / GRACE_TURN_MS), () => exit(code))
  }

  // First in line: the worker's own listener (which exits at once) runs after this one.
  target.prependListener('uncaughtException', (thrown) => {
    if (crashing || inFlight.size === 0) return
    // The worker's own errors are its own (errors.ts AzFuncSystemError); they end the process as before.
    if ((thrown as { isAzureFunctionsSystemError?: unknown } | null)?.isAzureFunctionsSystemError === true) return
    crash(toRemoteError(thrown), 1)
  })

  target.exit = ((code?: number | string | null) => {
    // The worker's listener exits right after the guard's: the guard ends the process once the answers are out.
    if (crashing) return undefined as never
    if (inFlight.size === 0 || invocation.getStore() !== true) return exit(code)
    const status = code ?? target.exitCode ?? 0
    crash({ name: 'Error', message: `The function's process exited with code ${status} before answering` }, Number(status) || 0)
    throw new ProcessExitRequested(`process.exit(${status}) was called`)
  }) as GuardedProcess['exit']

  return {
    get ending() {
      return crashing
    },
    run(execute, answer) {
      return new Promise<string>((resolve, reject) => {
        // Out of the set the moment it settles, so that a later crash is never taken for this invocation's.
        const fail = (error: RemoteError) => {
          inFlight.delete(fail)
          resolve(answer(error))
        }
        inFlight.add(fail)
        invocation.run(true, execute).then(
          (envelope) => {
            inFlight.delete(fail)
            resolve(envelope)
          },
          (error: unknown) => {
            inFlight.delete(fail)
            reject(error)
          },
        )
      })
    },
  }
}
