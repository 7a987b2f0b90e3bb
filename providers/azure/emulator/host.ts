/**
 * The emulated Azure Functions Node.js worker: runs in a sandbox worker
 * thread, loads the uploaded app and serves invocations with the host's
 * contract.
 *
 * `@azure/functions` (bundled into the app) talks to the host through the
 * `@azure/functions-core` module, which only exists inside the real worker; if
 * it cannot be required the library switches to a test mode that drops every
 * registration. The real worker provides it by intercepting
 * `Module.prototype.require`, and so does this script: the app's `require`
 * (a `createRequire` function in the ESM bundle) goes through that method, so
 * no file has to be written into the unpacked app and no loader hook is needed.
 */
import Module from 'node:module'
import { pathToFileURL } from 'node:url'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import { AZURE_HOST_MARK, type HostMessage, type HostReply, type HostWorkerData, type HttpRegistration } from './protocol.ts'

interface Binding {
  type: string
  direction: string
  route?: string
  methods?: string[]
  authLevel?: string
}
interface FunctionMetadata {
  name: string
  bindings: Record<string, Binding>
}
type Callback = (...args: unknown[]) => unknown
interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>
  invokeFunction(context: unknown, inputs: unknown[], handler: Callback): Promise<unknown>
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: { http?: RpcHttp } | null }>
}
interface ProgrammingModel {
  getInvocationModel(coreContext: unknown): InvocationModel
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>
}
interface RpcHttp {
  statusCode?: string
  headers?: Record<string, string>
  body?: { bytes?: Uint8Array; string?: string } | null
}
type Hook = (context: Record<string, unknown>) => unknown

const data = workerData as HostWorkerData
if (data?.mark !== AZURE_HOST_MARK) throw new Error('host.ts runs only inside the Azure emulator')

let programmingModel: ProgrammingModel | undefined
const functions = new Map<string, { metadata: FunctionMetadata; callback: Callback }>()
const hooks = new Map<string, Set<Hook>>()
const appHookData: Record<string, unknown> = {}

class Disposable {
  readonly #dispose: () => void
  constructor(dispose: () => void) {
    this.#dispose = dispose
  }
  dispose(): void {
    this.#dispose()
  }
}

/** The part of `@azure/functions-core` that `@azure/functions` v4 calls. */
const coreApi = {
  version: '3.12.0',
  hostVersion: '4.1040.0',
  Disposable,
  setProgrammingModel(model: ProgrammingModel) {
    programmingModel = model
  },
  getProgrammingModel: () => programmingModel,
  registerFunction(metadata: FunctionMetadata, callback: Callback) {
    if (functions.has(metadata.name)) throw new Error(`A function named "${metadata.name}" is already registered`)
    functions.set(metadata.name, { metadata, callback })
    return new Disposable(() => functions.delete(metadata.name))
  },
  registerHook(name: string, callback: Hook) {
    const set = hooks.get(name) ?? new Set<Hook>()
    set.add(callback)
    hooks.set(name, set)
    return new Disposable(() => set.delete(callback))
  },
  // System logs of the library; the real worker forwards them to the host's log stream.
  log(_level: string, _category: string, _message: string) {},
}

const moduleProto = Module.prototype as unknown as { require: (this: unknown, id: string) => unknown }
const originalRequire = moduleProto.require
moduleProto.require = function require(this: unknown, id: string) {
  return id === '@azure/functions-core' ? coreApi : originalRequire.call(this, id)
}

async function runHooks(name: string, context: Record<string, unknown>): Promise<void> {
  for (const hook of hooks.get(name) ?? []) await hook(context)
}

let loaded: Promise<void> | undefined
function loadApp(): Promise<void> {
  loaded ??= (async () => {
    await import(pathToFileURL(data.entryFile).href)
    await programmingModel?.getCapabilities({})
    await runHooks('appStart', { hookData: {}, appHookData, functionAppDirectory: data.appDirectory })
  })()
  return loaded
}

function httpTrigger(metadata: FunctionMetadata): [string, Binding] | undefined {
  return Object.entries(metadata.bindings).find(
    ([, binding]) => binding.direction === 'in' && binding.type.toLowerCase() === 'httptrigger',
  )
}

function registrations(): HttpRegistration[] {
  const found: HttpRegistration[] = []
  for (const { metadata } of functions.values()) {
    const trigger = httpTrigger(metadata)?.[1]
    if (!trigger) continue
    found.push({
      name: metadata.name,
      route: trigger.route ?? metadata.name,
      methods: (trigger.methods ?? ['GET', 'POST']).map((method) => method.toUpperCase()),
      authLevel: (trigger.authLevel ?? 'function').toLowerCase(),
    })
  }
  return found
}

async function invoke(message: Extract<HostMessage, { kind: 'invoke' }>): Promise<HostReply> {
  const entry = functions.get(message.functionName)
  const trigger = entry && httpTrigger(entry.metadata)
  if (!entry || !trigger || !programmingModel) {
    return { kind: 'failure', error: { name: 'Error', message: `No HTTP function "${message.functionName}" is registered` } }
  }
  const { request } = message
  const coreContext = {
    invocationId: message.invocationId,
    metadata: { name: entry.metadata.name, bindings: entry.metadata.bindings },
    request: {
      invocationId: message.invocationId,
      functionId: entry.metadata.name,
      inputData: [
        {
          name: trigger[0],
          data: {
            http: {
              method: request.method,
              url: request.url,
              headers: request.headers,
              query: request.query,
              params: {},
              body: { bytes: request.body },
            },
          },
        },
      ],
      triggerMetadata: {},
    },
    state: undefined as string | undefined,
    log: (_level: string, _category: string, _message: string) => {},
  }
  const model = programmingModel.getInvocationModel(coreContext)
  const { context, inputs } = await model.getArguments()
  const hookData: Record<string, unknown> = {}
  const pre = { invocationContext: context, inputs, functionCallback: entry.callback, hookData, appHookData }
  coreContext.state = 'preInvocationHooks'
  await runHooks('preInvocation', pre)
  coreContext.state = 'invocation'
  let result: unknown
  let error: unknown
  try {
    result = await model.invokeFunction(context, inputs, pre.functionCallback)
  } catch (thrown) {
    error = thrown
  }
  coreContext.state = 'postInvocationHooks'
  const post = { invocationContext: context, inputs, result, error, hookData, appHookData }
  await runHooks('postInvocation', post)
  if (post.error) throw post.error
  const response = await model.getResponse(context, post.result)
  const http = response.returnValue?.http
  const body = http?.body?.bytes ?? new TextEncoder().encode(http?.body?.string ?? '')
  return {
    kind: 'response',
    response: { status: Number(http?.statusCode ?? 200), headers: http?.headers ?? {}, body: new Uint8Array(body) },
  }
}

serveSandbox<HostMessage, HostReply>(async (message) => {
  try {
    await loadApp()
    if (message.kind === 'index') return { kind: 'index', functions: registrations() }
    return await invoke(message)
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown))
    return { kind: 'failure', error: { name: error.name, message: error.message } }
  }
})
