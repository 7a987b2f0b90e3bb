import { OutOfMemoryError } from '../../../src/errors/out-of-memory.ts'
import { ThrottledError } from '../../../src/errors/throttled.ts'
import { TimeoutError } from '../../../src/errors/timeout.ts'
import { packageFile } from '../../../src/package/package-root.ts'
import { compileHostScript } from '../../../src/sandbox/host-script.ts'
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.ts'
import {
  AZURE_HOST_MARK,
  type FunctionRegistration,
  type HostHttpRequest,
  type HostHttpResponse,
  type HostMessage,
  type HostReply,
  type RpcData,
} from './protocol.ts'

export interface AppRuntimeSettings {
  app: string
  directory: string
  entryFile: string
  env: Readonly<Record<string, string>>
  /** The instance's memory (functionAppConfig instanceMemoryMB). */
  memoryMb: number
  timeoutSec: number
  maxInstances: number
}

export type InvokeOutcome =
  | { kind: 'response'; response: HostHttpResponse }
  /** The host could not run the function (the app failed to load, the handler threw, the worker died). */
  | { kind: 'failure'; message: string }
  | { kind: 'timeout' }
  | { kind: 'throttled' }

export type TriggerOutcome = { kind: 'done' } | Exclude<InvokeOutcome, { kind: 'response' }>

/** The function host of one app version: its instances are sandbox workers running host.ts. */
export interface AppRuntime {
  /** Loads the app on an instance and reports its HTTP functions, or why it failed to load. */
  index(): Promise<{ functions: FunctionRegistration[]; bindingTypes: Record<string, string[]> } | { error: string }>
  invoke(functionName: string, invocationId: string, request: HostHttpRequest, onStart: () => void): Promise<InvokeOutcome>
  /** Runs a timer or queue function with its trigger's input (and binding data, as the host sends it). */
  trigger(
    functionName: string,
    invocationId: string,
    data: RpcData,
    onStart: () => void,
    triggerMetadata?: Record<string, RpcData>,
  ): Promise<TriggerOutcome>
  retire(): Promise<void>
}

export async function createAppRuntime(settings: AppRuntimeSettings): Promise<AppRuntime> {
  const workerFile = await compileHostScript(packageFile('providers/azure/emulator/host.ts'))
  // Each instance a process in the app folder (wwwroot), in UTC (docs/FIDELITY.md, The instance).
  const sandbox = createProcessSandbox<HostMessage, HostReply>({
    cwd: settings.directory,
    provider: 'azure',
    name: settings.app,
    workerFile,
    workerData: { mark: AZURE_HOST_MARK, entryFile: settings.entryFile, appDirectory: settings.directory },
    env: settings.env,
    memoryMb: settings.memoryMb,
    timeoutSec: settings.timeoutSec,
    maxInstances: settings.maxInstances,
  })

  type Sent =
    | { kind: 'reply'; reply: HostReply }
    | { kind: 'crash'; message: string }
    | { kind: 'timeout' }
    | { kind: 'throttled' }
  const send = async (message: HostMessage, onStart?: () => void): Promise<Sent> => {
    try {
      const outcome = await sandbox.run(message, onStart)
      if (outcome.kind === 'crash') return { kind: 'crash', message: `${outcome.error.name}: ${outcome.error.message}` }
      return { kind: 'reply', reply: outcome.result }
    } catch (error) {
      if (TimeoutError.isInstance(error)) return { kind: 'timeout' }
      if (ThrottledError.isInstance(error)) return { kind: 'throttled' }
      // The worker process died: the host restarts it and fails the invocation.
      if (OutOfMemoryError.isInstance(error)) return { kind: 'crash', message: 'the worker ran out of memory' }
      throw error
    }
  }

  return {
    async index() {
      const sent = await send({ kind: 'index' })
      if (sent.kind !== 'reply') return { error: sent.kind === 'crash' ? sent.message : `the app did not load (${sent.kind})` }
      const { reply } = sent
      if (reply.kind === 'index') return { functions: reply.functions, bindingTypes: reply.bindingTypes }
      return { error: reply.kind === 'failure' ? reply.error.message : 'unexpected reply' }
    },
    async invoke(functionName, invocationId, request, onStart) {
      const sent = await send({ kind: 'invoke', functionName, invocationId, request }, onStart)
      if (sent.kind === 'timeout' || sent.kind === 'throttled') return sent
      if (sent.kind === 'crash') return { kind: 'failure', message: sent.message }
      const { reply } = sent
      if (reply.kind === 'response') return { kind: 'response', response: reply.response }
      return { kind: 'failure', message: reply.kind === 'failure' ? reply.error.message : 'unexpected reply' }
    },
    async trigger(functionName, invocationId, data, onStart, triggerMetadata) {
      const sent = await send({ kind: 'trigger', functionName, invocationId, data, triggerMetadata }, onStart)
      if (sent.kind === 'timeout' || sent.kind === 'throttled') return sent
      if (sent.kind === 'crash') return { kind: 'failure', message: sent.message }
      if (sent.reply.kind === 'done') return { kind: 'done' }
      return { kind: 'failure', message: sent.reply.kind === 'failure' ? sent.reply.error.message : 'unexpected reply' }
    },
    retire: () => sandbox.retire(),
  }
}
