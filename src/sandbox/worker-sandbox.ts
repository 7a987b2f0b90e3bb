import { Worker } from 'node:worker_threads'
import { OutOfMemoryError } from '../errors/out-of-memory.ts'
import type { RemoteError } from '../runtime/envelope.ts'
import { InstancePool } from './instance-pool.ts'
import type { SandboxReply, SandboxRequest } from './protocol.ts'
import { withTimeout } from './timeout.ts'

export interface SandboxSettings {
  /** Provider name reported on errors. */
  provider: string
  /** Function name, for messages. */
  name: string
  /** Script each worker runs; it calls `serveSandbox`. */
  workerFile: string
  workerData?: unknown
  env: Readonly<Record<string, string>>
  memoryMb: number
  timeoutSec: number
  maxInstances: number
}

export type SandboxOutcome<R> =
  | { kind: 'result'; result: R; coldStart: boolean }
  /** The code crashed (threw while loading, or exited) without answering. */
  | { kind: 'crash'; error: RemoteError; coldStart: boolean }

export interface Sandbox<M, R> {
  /**
   * Runs one request on a warm or new instance. Throws `ThrottledError` when
   * all `maxInstances` are busy, `TimeoutError` (the worker is killed) and
   * `OutOfMemoryError`. `onStart` is called once an instance accepted it.
   */
  run(message: M, onStart?: () => void): Promise<SandboxOutcome<R>>
  /** Stops idle instances now and busy ones when they finish. */
  retire(): Promise<void>
  /** Instances alive, busy or idle. */
  readonly size: number
}

interface WorkerInstance {
  worker: Worker
  requests: number
  exited: boolean
}

/**
 * Runs code in worker threads the way a cloud runs instances: one request at
 * a time per worker, a cold start for each new worker, the timeout enforced by
 * killing the worker, the memory limit by V8's heap limit, and an environment
 * of its own. Shared by the local fake and the cloud emulators.
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
      // An idle worker must not keep the host process alive.
      worker.unref()
      const instance: WorkerInstance = { worker, requests: 0, exited: false }
      worker.once('exit', () => {
        instance.exited = true
      })
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
      worker.ref()
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
      worker.postMessage(request)
    })
  }

  return {
    async run(message, onStart) {
      const acquired = pool.acquire()
      const instance = acquired instanceof Promise ? await acquired : acquired
      onStart?.()
      let discard = true
      try {
        const outcome = await withTimeout(execute(instance, message), settings)
        discard = false
        return outcome
      } finally {
        // A worker that timed out, crashed or ran out of memory is never reused.
        await pool.release(instance, discard || instance.exited)
      }
    },
    retire: () => pool.retire(),
    get size() {
      return pool.size
    },
  }
}
