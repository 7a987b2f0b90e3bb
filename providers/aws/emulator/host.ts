/**
 * Worker side of the AWS emulator: what Lambda's Node.js runtime does for
 * one instance. It imports the uploaded code named by the handler setting
 * and calls `handler(event, context)` with Lambda's context object, one event
 * at a time, capturing what the code writes to stdout and stderr for the logs.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import type { HostData, HostReply, HostRequest } from './protocol.ts'

type Handler = (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown

const data = workerData as HostData
let output: string[] = []
const capture = (chunk: unknown, encoding?: unknown, done?: unknown): boolean => {
  output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
  const callback = typeof encoding === 'function' ? encoding : done
  if (typeof callback === 'function') callback()
  return true
}
process.stdout.write = capture as typeof process.stdout.write
process.stderr.write = capture as typeof process.stderr.write

class LambdaRuntimeError extends Error {
  readonly errorType: string

  constructor(errorType: string, message: string) {
    super(message)
    this.errorType = errorType
  }
}

async function load(): Promise<Handler> {
  const [file, exportName] = splitHandler(data.handler)
  const path = ['.mjs', '.js', '.cjs'].map((ext) => join(data.codeDir, `${file}${ext}`)).find((p) => existsSync(p))
  if (!path) throw new LambdaRuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${file}'`)
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  const handler = module[exportName]
  if (typeof handler !== 'function') {
    throw new LambdaRuntimeError('Runtime.HandlerNotFound', `${data.handler} is undefined or not exported`)
  }
  return handler as Handler
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.')
  return [handler.slice(0, dot), handler.slice(dot + 1)]
}

/** Lambda's Node.js runtime still supports callback handlers (three parameters). */
function call(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  if (handler.length < 3) return Promise.resolve(handler(event, context))
  return new Promise((resolve, reject) => {
    const result = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)))
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(resolve, reject)
  })
}

function failure(thrown: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (thrown instanceof LambdaRuntimeError) return { errorType: thrown.errorType, errorMessage: thrown.message, trace: [] }
  if (thrown instanceof Error) {
    return { errorType: thrown.name || 'Error', errorMessage: thrown.message, trace: (thrown.stack ?? '').split('\n') }
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] }
}

let handler: Promise<Handler> | undefined

serveSandbox<HostRequest, HostReply>(async (request) => {
  const cold = handler === undefined
  const initStarted = performance.now()
  handler ??= load()
  const context = {
    awsRequestId: request.requestId,
    functionName: request.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: request.invokedFunctionArn,
    memoryLimitInMB: request.memoryLimitInMB,
    logGroupName: request.logGroupName,
    logStreamName: request.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
  }
  let loaded: Handler | undefined
  let initMs: number | undefined
  let reply: { ok: true; body: string } | { ok: false; errorType: string; errorMessage: string; trace: string[] }
  try {
    loaded = await handler
    if (cold) initMs = performance.now() - initStarted
    const result = await call(loaded, JSON.parse(request.event), context)
    reply = { ok: true, body: JSON.stringify(result) ?? 'null' }
  } catch (thrown) {
    const error = failure(thrown)
    // The runtime logs the failure, as Lambda's does.
    capture(`${new Date().toISOString()}\t${request.requestId}\tERROR\tInvoke Error \t${JSON.stringify(error)}\n`)
    reply = { ok: false, ...error }
  }
  const heapMb = Math.ceil(process.memoryUsage().heapUsed / (1024 * 1024))
  const text = output.join('')
  output = []
  return { ...reply, output: text, initMs, heapMb } as HostReply
})
