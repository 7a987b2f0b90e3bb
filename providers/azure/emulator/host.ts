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
import { request as httpRequest } from 'node:http'
import Module from 'node:module'
import { relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import {
  AZURE_HOST_MARK,
  type FunctionRegistration,
  type HostHttpRequest,
  type HostHttpResponse,
  type HostMessage,
  type HostReply,
  type HostWorkerData,
  type RpcData,
} from './protocol.ts'

interface Binding {
  type: string
  direction: string
  route?: string
  methods?: string[]
  authLevel?: string
  schedule?: string
  queueName?: string
  connection?: string
}
interface FunctionMetadata {
  name: string
  functionId?: string
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

/** The worker's AzFuncSystemError: an error of the worker, not of the user's code. */
class SystemError extends Error {
  readonly isAzureFunctionsSystemError = true
}

/**
 * The worker's `ensureErrorType` (src/errors.ts): what it reports for any
 * thrown value. Anything thrown except null and undefined is an error
 * (`isError`), a thrown 0, '' or false included.
 */
function ensureError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  if (thrown === undefined || thrown === null) return new Error('Unknown error')
  if (typeof thrown === 'string') return new Error(thrown)
  if (typeof thrown === 'object') return new Error(JSON.stringify(thrown))
  return new Error(String(thrown))
}
const isError = (value: unknown) => value !== null && value !== undefined

let programmingModel: ProgrammingModel | undefined
/** Set once the host has asked for the functions (after start-up): later registrations are refused. */
let indexingLocked = false
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
  // The worker's registerFunction (src/coreApi/registerFunction.ts): only during start-up, ids unique.
  registerFunction(metadata: FunctionMetadata, callback: Callback) {
    if (indexingLocked) throw new SystemError('A function can only be registered during app startup.')
    const id = metadata.functionId || metadata.name
    if (functions.has(id)) throw new SystemError(`A function with id "${id}" has already been registered.`)
    functions.set(id, { metadata, callback })
    return new Disposable(() => {
      if (indexingLocked) throw new SystemError('A function can only be disposed during app startup.')
      functions.delete(id)
    })
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

/** Where the library serves HTTP functions when the app enabled HTTP streams (`app.setup({ enableHttpStream })`). */
let httpUri: string | undefined
let loaded: Promise<void> | undefined
/**
 * The worker's startApp (src/startApp.ts): loads package.json `main`, then
 * runs the appStart hooks. On Node 20+ an entry point that throws blocks the
 * app: the error, reworded, answers the host's functions metadata request.
 */
function loadApp(): Promise<void> {
  loaded ??= (async () => {
    const entryPoint = relative(data.appDirectory, data.entryFile)
    try {
      await import(pathToFileURL(data.entryFile).href)
    } catch (thrown) {
      const error = ensureError(thrown)
      throw new SystemError(`Worker was unable to load entry point "${entryPoint}": ${error.message}`)
    }
    const capabilities = await programmingModel?.getCapabilities({})
    httpUri = capabilities?.HttpUri
    await runHooks('appStart', { hookData: {}, appHookData, functionAppDirectory: data.appDirectory })
  })()
  return loaded
}

/** The function's trigger binding (name and binding): the one input binding whose type ends in `Trigger`. */
function triggerOf(metadata: FunctionMetadata): [string, Binding] | undefined {
  return Object.entries(metadata.bindings).find(
    ([, binding]) => binding.direction === 'in' && binding.type.toLowerCase().endsWith('trigger'),
  )
}

function registration(metadata: FunctionMetadata): FunctionRegistration | undefined {
  const binding = triggerOf(metadata)?.[1]
  const name = metadata.name
  switch (binding?.type.toLowerCase()) {
    case 'httptrigger':
      return {
        kind: 'http',
        name,
        route: binding.route ?? name,
        methods: (binding.methods ?? ['GET', 'POST']).map((method) => method.toUpperCase()),
        authLevel: (binding.authLevel ?? 'function').toLowerCase(),
      }
    case 'timertrigger':
      return { kind: 'timer', name, schedule: binding.schedule ?? '' }
    case 'queuetrigger':
      return { kind: 'queue', name, queueName: binding.queueName ?? '', connection: binding.connection ?? 'AzureWebJobsStorage' }
    case 'eventgridtrigger':
      return { kind: 'eventGrid', name }
    default:
      return undefined
  }
}

function registrations(): FunctionRegistration[] {
  return [...functions.values()].flatMap(({ metadata }) => registration(metadata) ?? [])
}

/** Every registered function's binding types, trigger first: the host checks each against the extensions it loaded. */
function bindingTypes(): Record<string, string[]> {
  const types: Record<string, string[]> = {}
  for (const { metadata } of functions.values()) {
    const trigger = triggerOf(metadata)?.[1]
    const others = Object.values(metadata.bindings).filter((binding) => binding !== trigger)
    types[metadata.name] = [...(trigger ? [trigger] : []), ...others].map((binding) => binding.type)
  }
  return types
}

/** Hop-by-hop headers a proxy does not forward. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'upgrade'])

/**
 * The host's side of an HTTP stream: the request goes to the library's
 * server with the invocation id and forwarding headers, and the response
 * comes back as the library wrote it, every header line kept.
 */
function proxy(uri: string, invocationId: string, request: HostHttpRequest, signal: AbortSignal): Promise<HostHttpResponse> {
  const target = new URL(request.url)
  const headers: Record<string, string> = {
    'x-ms-invocation-id': invocationId,
    'x-forwarded-host': target.host,
    'x-forwarded-proto': 'https',
  }
  for (const [name, value] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value
  if (request.body.byteLength > 0) headers['content-length'] = String(request.body.byteLength)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      new URL(`${target.pathname}${target.search}`, uri),
      // The host reads the worker's answer with .NET's HttpClient, whose header limit is 64 KiB, not Node's 16.
      { method: request.method, headers, signal, maxHeaderSize: 64 * 1024 },
      (incoming) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('error', reject)
        incoming.on('end', () => {
          const pairs: Array<[string, string]> = []
          for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
            const name = (incoming.rawHeaders[index] ?? '').toLowerCase()
            // A Content-Length the handler set is the answer's own: the host passes it on.
            if ((HOP_BY_HOP.has(name) && name !== 'content-length') || name === 'x-ms-invocation-id' || name === 'date') continue
            pairs.push([name, incoming.rawHeaders[index + 1] ?? ''])
          }
          resolve({ status: incoming.statusCode ?? 500, headers: pairs, body: new Uint8Array(Buffer.concat(chunks)) })
        })
      },
    )
    outgoing.on('error', reject)
    outgoing.end(request.body.byteLength > 0 ? request.body : undefined)
  })
}

/** Runs one invocation with the worker's contract: hooks around the handler, the library's conversions. */
async function run(
  name: string,
  invocationId: string,
  input: { data: unknown; triggerMetadata: Record<string, RpcData> | undefined },
): Promise<{ returnValue?: { http?: RpcHttp } | null }> {
  const entry = functions.get(name)
  const trigger = entry && triggerOf(entry.metadata)
  if (!entry || !trigger || !programmingModel) throw new Error(`No function "${name}" is registered`)
  const coreContext = {
    invocationId,
    metadata: { name: entry.metadata.name, bindings: entry.metadata.bindings },
    request: {
      invocationId,
      functionId: entry.metadata.name,
      inputData: [{ name: trigger[0], data: input.data }],
      triggerMetadata: input.triggerMetadata,
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
  let result: unknown = null
  let error: unknown = null
  try {
    result = await model.invokeFunction(context, inputs, pre.functionCallback)
  } catch (thrown) {
    error = thrown
  }
  coreContext.state = 'postInvocationHooks'
  const post = { invocationContext: context, inputs, result, error, hookData, appHookData }
  await runHooks('postInvocation', post)
  if (isError(post.error)) throw post.error
  return model.getResponse(context, post.result)
}

async function invoke(message: Extract<HostMessage, { kind: 'invoke' }>): Promise<HostReply> {
  const { request, invocationId } = message
  const http = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    query: request.query,
    params: {},
    body: { bytes: request.body },
  }
  const triggerMetadata: Record<string, RpcData> = {
    Headers: { json: JSON.stringify(request.headers) },
    Query: { json: JSON.stringify(request.query) },
  }
  if (httpUri) {
    const aborted = new AbortController()
    const proxied = proxy(httpUri, invocationId, request, aborted.signal)
    proxied.catch(() => {})
    try {
      await run(message.functionName, invocationId, { data: { http }, triggerMetadata })
    } catch (error) {
      aborted.abort()
      throw error
    }
    return { kind: 'response', response: await proxied }
  }
  const response = await run(message.functionName, invocationId, { data: { http }, triggerMetadata })
  const answer = response.returnValue?.http
  const body = answer?.body?.bytes ?? new TextEncoder().encode(answer?.body?.string ?? '')
  return {
    kind: 'response',
    response: {
      status: Number(answer?.statusCode ?? 200),
      headers: Object.entries(answer?.headers ?? {}),
      body: new Uint8Array(body),
    },
  }
}

// Azure's Node.js worker loads the app when it starts (worker init, then indexing), before the host sends any
// invocation, so functionTimeout never covers the load. Loading it before serveSandbox tells the sandbox the
// instance is ready keeps a slow load (a loaded machine) out of the function's time: with the load inside it, a
// 1 s function on a busy machine failed its deploy ("the app did not load (timeout)") or a map item (Timeout).
// A load failure is kept: the first message awaits the same promise and reports it.
// The worker's own listener (github:Azure/azure-functions-nodejs-worker src/Worker.ts), registered before the app
// loads, as there: an uncaught exception is logged and ends the process with 1. The shim's listener runs before it
// (crash-guard.ts); without this one the sandbox's fallback listener would stand back for the shim's.
process.on('uncaughtException', (thrown) => {
  process.stderr.write(`Worker uncaught exception: ${thrown instanceof Error ? thrown.stack : String(thrown)}\n`)
  process.exit(1)
})
await loadApp().catch(() => {})

serveSandbox<HostMessage, HostReply>(async (message) => {
  try {
    await loadApp()
    if (message.kind === 'index') {
      // The worker's FunctionsMetadataHandler: indexing is over once the host asked.
      indexingLocked = true
      return { kind: 'index', functions: registrations(), bindingTypes: bindingTypes() }
    }
    if (message.kind === 'trigger') {
      await run(message.functionName, message.invocationId, {
        data: message.data,
        triggerMetadata: message.triggerMetadata,
      })
      return { kind: 'done' }
    }
    return await invoke(message)
  } catch (thrown) {
    const error = ensureError(thrown)
    return { kind: 'failure', error: { name: error.name, message: error.message } }
  }
})
