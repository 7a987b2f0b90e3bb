import { Worker } from 'node:worker_threads'
import { OutOfMemoryError } from '../errors/out-of-memory.ts'
import { InstancePool } from './instance-pool.ts'
import type { ProcessSignal, SandboxReply, SandboxRequest } from './protocol.ts'
import { pooledSandbox, type Sandbox, type SandboxOutcome, type SandboxSettings } from './sandbox.ts'

export type { Sandbox, SandboxOutcome, SandboxSettings } from './sandbox.ts'

interface WorkerInstance {
  worker: Worker
  requests: number
  exited: boolean
  /** Why the worker ended before it was ready (its module threw, or it ran out of memory while loading). */
  startFailure?: Error | { exitCode: number }
}

/** As the process sandbox's default: a hang guard for a module that never finishes loading. */
const STARTUP_TIMEOUT_MS = 120_000

/**
 * Resolves once the worker has loaded its module and serves requests, or has
 * failed to (kept in `startFailure`, reported by its first request). Why: the
 * function's timeout covers only the invocation, as a cloud's Init phase is not
 * part of it; counted from before the worker thread started, a 10 ms function
 * on a loaded machine timed out after 1 s (found by `npm test` beside a CPU hog).
 */
function started(instance: WorkerInstance): Promise<void> {
  const { worker } = instance
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(guard)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      resolve()
    }
    const onMessage = (signal: ProcessSignal | SandboxReply<unknown>) => {
      if ('type' in signal && signal.type === 'ready') done()
    }
    const onError = (error: Error) => {
      instance.startFailure = error
      done()
    }
    const onExit = (exitCode: number) => {
      instance.startFailure ??= { exitCode }
      done()
    }
    const guard = setTimeout(() => {
      instance.startFailure = new Error(`The function's instance did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)
      void worker.terminate()
      done()
    }, STARTUP_TIMEOUT_MS)
    guard.unref()
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
  })
}

/**
 * Runs code in worker threads the way a cloud runs instances: one request at
 * a time per worker, a cold start for each new worker, the timeout enforced by
 * killing the worker, the memory limit by V8's heap limit, and an environment
 * of its own. The local fake's `worker` mode uses it; the cloud emulators use
 * the process sandbox (process-sandbox.ts), which gives each instance its own
 * working directory and time zone as well.
 */
export function createWorkerSandbox<M, R>(settings: SandboxSettings): Sandbox<M, R> {
  const pool = new InstancePool<WorkerInstance>({
    provider: settings.provider,
    functionName: settings.name,
    maxInstances: settings.maxInstances,
    create: async () => {
      const worker = new Worker(settings.workerFile, {
        workerData: settings.workerData,
        env: { ...settings.env },
        resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb },
      })
      const instance: WorkerInstance = { worker, requests: 0, exited: false }
      worker.once('exit', () => {
        instance.exited = true
      })
      // Held while it loads, so that a caller awaiting its first answer keeps the process alive.
      worker.ref()
      await started(instance)
      worker.unref()
      return instance
    },
    destroy: async (instance) => {
      await instance.worker.terminate()
    },
  })

  const execute = (instance: WorkerInstance, message: M): Promise<SandboxOutcome<R>> => {
    const { worker } = instance
    const request: SandboxRequest<M> = { id: instance.requests++, message }
    const coldStart = request.id === 0
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        worker.unref()
      }
      const onMessage = (reply: SandboxReply<R>) => {
        if (reply.id !== request.id) return
        cleanup()
        resolve({ kind: 'result', result: reply.result, coldStart })
      }
      const onError = (error: Error & { code?: string }) => {
        cleanup()
        instance.exited = true
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          reject(
            new OutOfMemoryError({
              provider: settings.provider,
              memoryMb: settings.memoryMb,
              message: `Function '${settings.name}' ran out of memory (limit ${settings.memoryMb} MB); raise memoryMb or use less`,
            }),
          )
          return
        }
        resolve({ kind: 'crash', error: { name: error.name || 'Error', message: error.message, stack: error.stack }, coldStart })
      }
      const onExit = (code: number) => {
        cleanup()
        const error = { name: 'Error', message: `The function's process exited with code ${code} before answering` }
        resolve({ kind: 'crash', error, coldStart })
      }
      const failure = instance.startFailure
      if (failure) {
        if (failure instanceof Error) onError(failure)
        else onExit(failure.exitCode)
        return
      }
      worker.ref()
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
      worker.postMessage(request)
    })
  }

  return pooledSandbox(pool, execute, settings)
}
