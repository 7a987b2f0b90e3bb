import { Worker } from 'node:worker_threads'
import { OutOfMemoryError } from '../../src/errors/out-of-memory.ts'
import { failureEnvelope, toRemoteError } from '../../src/runtime/envelope.ts'
import { InstancePool } from './instance-pool.ts'
import { type InvokeMessage, LOCAL_WORKER_MARK, type ResultMessage } from './protocol.ts'
import { type Runner, type RunnerSettings, type RunOutcome, withTimeout } from './runner.ts'

interface WorkerInstance {
  worker: Worker
  nextId: number
  exited: boolean
}

/**
 * Runs the packaged artifact in worker threads, one execution at a time per
 * worker, as a cloud runs instances: the timeout kills the worker, the memory
 * limit is V8's heap limit, and the environment is the function's alone.
 */
export function createWorkerRunner(entryFile: string, settings: RunnerSettings): Runner {
  const pool = new InstancePool<WorkerInstance>({
    functionName: settings.name,
    maxInstances: settings.maxInstances,
    create: async () => {
      const worker = new Worker(entryFile, {
        workerData: LOCAL_WORKER_MARK,
        env: { ...settings.env },
        resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb },
      })
      // An idle worker must not keep the host process alive.
      worker.unref()
      const instance: WorkerInstance = { worker, nextId: 0, exited: false }
      worker.once('exit', () => {
        instance.exited = true
      })
      return instance
    },
    destroy: async (instance) => {
      await instance.worker.terminate()
    },
  })

  const execute = (instance: WorkerInstance, payload: string, executionId: string): Promise<RunOutcome> => {
    const { worker } = instance
    const message: InvokeMessage = {
      id: instance.nextId++,
      payload,
      executionId,
      deadline: Date.now() + settings.timeoutSec * 1000,
    }
    const meta = { coldStart: message.id === 0, durationMs: 0, executionId }
    return new Promise<RunOutcome>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        worker.unref()
      }
      const onMessage = (result: ResultMessage) => {
        if (result.id !== message.id) return
        cleanup()
        resolve({ envelope: result.envelope, logs: result.logs })
      }
      const onError = (error: Error & { code?: string }) => {
        cleanup()
        instance.exited = true
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          reject(
            new OutOfMemoryError({
              provider: 'local',
              memoryMb: settings.memoryMb,
              message: `Function '${settings.name}' ran out of memory (limit ${settings.memoryMb} MB); raise memoryMb or use less`,
            }),
          )
          return
        }
        // An error thrown while loading the module or escaping the handler: the user's code failed.
        resolve({ envelope: failureEnvelope(toRemoteError(error), meta), logs: [] })
      }
      const onExit = (code: number) => {
        cleanup()
        const error = { name: 'Error', message: `The function's process exited with code ${code} before answering` }
        resolve({ envelope: failureEnvelope(error, meta), logs: [] })
      }
      worker.ref()
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
      worker.postMessage(message)
    })
  }

  return {
    async run(payload, executionId, onStart) {
      const acquired = pool.acquire()
      const instance = acquired instanceof Promise ? await acquired : acquired
      onStart()
      let discard = true
      try {
        const outcome = await withTimeout(execute(instance, payload, executionId), settings, () => {})
        discard = false
        return outcome
      } finally {
        // A worker that timed out, crashed or ran out of memory is never reused.
        await pool.release(instance, discard || instance.exited)
      }
    },
    retire: () => pool.retire(),
  }
}
