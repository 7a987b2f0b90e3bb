/**
 * Inside an emulated Cloud Functions instance: the real Functions Framework
 * (`@google-cloud/functions-framework`, what 2nd-gen Node.js functions run)
 * loads the uploaded code and serves it on a loopback port, as its
 * `functions-framework` binary does in the container (build/src/main.js:
 * parseOptions, getUserFunction, getServer, ErrorHandler). Each request the
 * emulator's Cloud Run front end hands over is sent to that port over HTTP/1.1
 * with its headers in order, so body parsing (gzip, charsets, forms, strict
 * JSON), routing (ignored routes, POST-only event functions), CloudEvent
 * decoding (binary and structured), header limits and error pages are the
 * framework's own code.
 */
import { Agent, request as httpRequest, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import { type HostMessage, type HostReply, type HostRequest, PROBE_OK } from './protocol.ts'

/** What revision.ts hands each instance. */
export interface HostData {
  /** The unpacked source: the directory with package.json (FUNCTION_SOURCE). */
  sourceDir: string
  /** The framework's build/src directory, resolved by the emulator (framework.ts). */
  frameworkDir: string
  /** The service's request timeout (Cloud Run's `timeoutSeconds`). */
  timeoutSec: number
}

type Options = { signatureType: string; target: string; sourceLocation: string; enableExecutionId: boolean }
interface Framework {
  parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options
  getUserFunction(
    source: string,
    target: string,
    signatureType: string,
  ): Promise<{ userFunction: unknown; signatureType: string } | null>
  getServer(fn: unknown, options: Options): Server
  ErrorHandler: new (server: Server) => { register(): void }
  loggingHandlerAddExecutionContext(): void
}

const { sourceDir, frameworkDir, timeoutSec } = workerData as HostData
const require = createRequire(import.meta.url)
// These modules are not in the package's exports map: loaded by path, as main.js loads them.
const load = (file: string) => require(join(frameworkDir, file)) as Partial<Framework>
const framework = {
  ...load('options.js'),
  ...load('loader.js'),
  ...load('server.js'),
  ...load('invoker.js'),
  ...load('logger.js'),
} as Framework

// main.js: options from the environment (FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE, ...), no CLI flags.
const options = framework.parseOptions(['node', 'functions-framework'], { ...process.env, FUNCTION_SOURCE: sourceDir })
if (options.enableExecutionId) framework.loggingHandlerAddExecutionContext()
const loaded = await framework.getUserFunction(options.sourceLocation, options.target, options.signatureType)
// The framework logged why; a container that cannot start its server never serves.
if (!loaded) throw new Error('Could not load the function, shutting down.')
options.signatureType = loaded.signatureType
const server = framework.getServer(loaded.userFunction, options)
const errorHandler = new framework.ErrorHandler(server)
// main.js listens on PORT; here a free loopback port, so instances in one process do not collide.
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
errorHandler.register()
server.setTimeout(0)
const port = (server.address() as { port: number }).port
const agent = new Agent({ keepAlive: true, maxSockets: 1 })

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to the loopback connection, not
 * to the response Cloud Run's front end sends on.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer', 'te'])

/**
 * Cloud Run's request timeout: past `timeoutSeconds` the caller gets 504
 * "upstream request timeout" and the connection to the instance is closed;
 * the instance itself is not stopped (the code may go on running) and takes
 * the next request. Timed here, from when the request reaches the instance,
 * so an instance's start does not count (Cloud Run's startup probe has its own budget).
 */
const TIMED_OUT: HostReply = {
  status: 504,
  headers: [['content-type', 'text/plain; charset=utf-8']],
  body: Buffer.from('upstream request timeout').toString('base64'),
}

function forward(message: HostRequest): Promise<HostReply> {
  return new Promise<HostReply>((resolve, reject) => {
    const body = Buffer.from(message.body, 'base64')
    let done = false
    const settle = (reply: HostReply) => {
      done = true
      clearTimeout(timer)
      resolve(reply)
    }
    // An error after the answer (the destroyed request of a timeout) is expected and dropped.
    const fail = (error: Error) => {
      if (done) return
      done = true
      clearTimeout(timer)
      reject(error)
    }
    const timer = setTimeout(() => {
      settle(TIMED_OUT)
      outgoing.destroy()
    }, timeoutSec * 1000)
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: message.method,
        path: message.path,
        // The same list and order as the front end received them (host included).
        headers: message.rawHeaders,
        setHost: false,
        agent,
        // The answer head is the front end's to judge (function-url.ts hands it to the
        // caller, whose fetch refuses one over 16 KiB as on the other backends), not this hop's.
        maxHeaderSize: 256 * 1024,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', fail)
        response.on('end', () => {
          const headers: Array<[string, string]> = []
          const raw = response.rawHeaders
          for (let index = 0; index + 1 < raw.length; index += 2) {
            const name = (raw[index] as string).toLowerCase()
            if (!HOP_BY_HOP.has(name)) headers.push([name, raw[index + 1] as string])
          }
          settle({ status: response.statusCode ?? 502, headers, body: Buffer.concat(chunks).toString('base64') })
        })
      },
    )
    outgoing.on('error', fail)
    outgoing.end(body.byteLength > 0 ? body : undefined)
  })
}

serveSandbox<HostMessage, HostReply>(async (message) => ('kind' in message ? PROBE_OK : forward(message)))
