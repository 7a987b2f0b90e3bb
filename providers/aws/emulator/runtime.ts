import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OutOfMemoryError } from '../../../src/errors/out-of-memory.ts'
import { TimeoutError } from '../../../src/errors/timeout.ts'
import { packageFile } from '../../../src/package/package-root.ts'
import { releaseUnpacked, removeQuietly, unpackArtifact } from '../../../src/sandbox/artifact-dir.ts'
import { compileHostScript } from '../../../src/sandbox/host-script.ts'
import { createProcessSandbox, type Sandbox } from '../../../src/sandbox/process-sandbox.ts'
import { AWS_LIMITS } from '../capabilities.ts'
import { lambdaEnvironment } from './lambda-env.ts'
import type { FunctionVersion } from './model.ts'
import type { HostData, HostReply, HostRequest } from './protocol.ts'

/** What one invocation produced, in Lambda's terms. */
export interface Execution {
  /** Response payload text. */
  body: string
  /** True when Lambda would answer with `X-Amz-Function-Error: Unhandled`. */
  functionError: boolean
  /** The execution's log text, START to REPORT. */
  log: string
  logStream: string
}

export interface RuntimeIdentity {
  name: string
  arn: string
  region: string
}

function hostScript(): Promise<string> {
  return compileHostScript(packageFile('providers/aws/emulator/host.ts'))
}

let logFolder: string | undefined
/** Runtimes whose instances may still run, and invocations in flight: the folder stays while any is left. */
let logUsers = 0
let exitHook = false

/**
 * A folder of this process for the instances' per-invocation log files. It is
 * removed when its last user lets go (the emulator closed, its instances
 * gone), not only at exit: a test runner kills its workers without exit hooks,
 * and the folders piled up in the temporary folder. Named with the pid, as the
 * unpacked code's folder is.
 */
function holdLogDir(): string {
  logUsers++
  if (!logFolder) {
    logFolder = mkdtempSync(join(tmpdir(), `cloudfn-aws-logs-${process.pid}-`))
    if (!exitHook) {
      exitHook = true
      process.once('exit', () => {
        if (logFolder) removeQuietly(logFolder)
      })
    }
  }
  return logFolder
}

function releaseLogDir(): void {
  logUsers--
  if (logUsers > 0 || !logFolder) return
  removeQuietly(logFolder)
  logFolder = undefined
}

function readLog(path: string | undefined): string {
  try {
    return path ? readFileSync(path, 'utf8') : ''
  } catch {
    return ''
  }
}

/** The Lambda-Runtime-Trace-Id Lambda passes with each event (X-Ray's header format, not sampled). */
function traceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16)
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0;Lineage=1:${randomBytes(4).toString('hex')}:0`
}

const SIGNAL_TEXT: Record<string, string> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGINT: 'interrupt',
}

/**
 * Lambda's answer when the runtime process ends without posting a result:
 * `Runtime.ExitError`, "exited without providing a reason" for status 0 (the
 * AWS Lambda developer guide's log example, monitoring-cloudwatchlogs), else
 * the exit status.
 */
function exitError(requestId: string, crash: string): { errorType: string; errorMessage: string } {
  const exit = /exited with code (\d+)/.exec(crash)
  const status = exit?.[1]
  if (status === '0') {
    return {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason`,
    }
  }
  // Lambda's platform is written in Go: a signal reads as Go's exec error does ("signal: killed").
  const signal = /stopped by (SIG[A-Z]+)/.exec(crash)?.[1]
  const reason = status !== undefined ? `exit status ${status}` : signal ? `signal: ${SIGNAL_TEXT[signal] ?? signal}` : crash
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${reason}` }
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/')
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`
}

/**
 * Runs one version of a function in worker sandboxes: unpacks the zip, starts
 * instances of the AWS host script, and turns what happens (an answer, a
 * throw, a timeout, running out of memory, a crash) into Lambda's answers.
 */
export class FunctionRuntime {
  readonly logStream = logStreamName()
  #sandbox: Promise<Sandbox<HostRequest, HostReply>> | undefined
  readonly #identity: RuntimeIdentity
  readonly #version: FunctionVersion
  readonly #maxConcurrency: number

  constructor(identity: RuntimeIdentity, version: FunctionVersion, maxConcurrency: number) {
    this.#identity = identity
    this.#version = version
    this.#maxConcurrency = maxConcurrency
  }

  #start(): Promise<Sandbox<HostRequest, HostReply>> {
    this.#sandbox ??= (async () => {
      const { config, zip, codeSha256 } = this.#version
      // Unpacked by content hash, as the local fake does; an empty entry file name gives the folder.
      const sha256 = Buffer.from(codeSha256, 'base64').toString('hex')
      const codeDir = await unpackArtifact({ zip, sha256, entryFile: '' })
      const workerData: HostData = { codeDir, handler: config.handler, runtime: config.runtime }
      // Each instance a process in the task root with Lambda's TZ=:UTC (docs/FIDELITY.md, The instance).
      const sandbox = createProcessSandbox<HostRequest, HostReply>({
        cwd: codeDir,
        tz: ':UTC',
        provider: 'aws',
        name: this.#identity.name,
        workerFile: await hostScript(),
        workerData,
        env: { ...this.#lambdaEnv(codeDir), ...config.environment },
        memoryMb: config.memorySize,
        timeoutSec: config.timeout,
        maxInstances: this.#maxConcurrency,
      })
      // Once retired and its last instance gone, its code and (with the last runtime) the log folder go too.
      holdLogDir()
      void sandbox.drained().then(() => {
        releaseUnpacked(codeDir)
        releaseLogDir()
      })
      return sandbox
    })()
    return this.#sandbox
  }

  /** The variables Lambda sets in every function's environment. */
  #lambdaEnv(codeDir: string): Record<string, string> {
    return lambdaEnvironment({ ...this.#identity, config: this.#version.config, codeDir, logStream: this.logStream })
  }

  /** Throws `ThrottledError` when every instance is busy (the function did not run). */
  async execute(event: string, requestId: string, onStart: () => void): Promise<Execution> {
    // Held for the whole invocation: its instance may be the last, and the folder is read after it is gone.
    const logs = holdLogDir()
    try {
      return await this.#execute(event, requestId, onStart, logs)
    } finally {
      releaseLogDir()
    }
  }

  async #execute(event: string, requestId: string, onStart: () => void, logs: string): Promise<Execution> {
    const sandbox = await this.#start()
    const { config } = this.#version
    let started = performance.now()
    const request: HostRequest = {
      event,
      requestId,
      deadline: Date.now() + config.timeout * 1000,
      functionName: this.#identity.name,
      invokedFunctionArn: this.#identity.arn,
      memoryLimitInMB: String(config.memorySize),
      logGroupName: `/aws/lambda/${this.#identity.name}`,
      logStreamName: this.logStream,
      traceId: traceHeader(),
      logFile: join(logs, `${requestId}.log`),
    }
    let reply: HostReply | undefined
    let platformError: { errorType: string; errorMessage: string } | undefined
    let extraLog = ''
    try {
      // Lambda's deadline starts with the Invoke phase, after the instance's Init (lambda-runtime-environment):
      // set when an instance takes the event, so a cold start does not eat into getRemainingTimeInMillis.
      const outcome = await sandbox.run(request, () => {
        request.deadline = Date.now() + config.timeout * 1000
        // REPORT's Duration is the Invoke phase's too; Init Duration is reported apart.
        started = performance.now()
        onStart()
      })
      if (outcome.kind === 'result') reply = outcome.result
      else {
        platformError = exitError(requestId, outcome.error.message)
      }
    } catch (error) {
      if (TimeoutError.isInstance(error)) {
        const seconds = config.timeout.toFixed(2)
        platformError = {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`,
        }
        extraLog = `${new Date().toISOString()} ${requestId} Task timed out after ${seconds} seconds\n`
      } else if (OutOfMemoryError.isInstance(error)) {
        platformError = {
          errorType: 'Runtime.OutOfMemory',
          errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
        }
      } else throw error
    }
    const durationMs = performance.now() - started
    let body: string
    let functionError = true
    if (reply?.ok) {
      body = reply.body
      functionError = false
      if (Buffer.byteLength(body) > AWS_LIMITS.syncResponseBytes) {
        functionError = true
        body = JSON.stringify({
          errorMessage: `Response payload size exceeded maximum allowed payload size (${AWS_LIMITS.syncResponseBytes} bytes).`,
          errorType: 'Function.ResponseSizeTooLarge',
        })
      }
    } else if (reply) {
      body = reply.body
    } else {
      body = JSON.stringify(platformError)
    }
    const report = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      // Rounded up to 1 ms; a cold start's Init Duration is billed too since 2025-08-01 for on-demand zip functions
      // on managed runtimes (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/;
      // measured where init was already billed: Init 1293.83 + Duration 1049.63 gave Billed 2344 ms,
      // https://bitesizedserverless.com/bite/when-is-the-lambda-init-phase-free-and-when-is-it-billed/).
      `Billed Duration: ${Math.max(1, Math.ceil(durationMs + (reply?.initMs ?? 0)))} ms`,
      `Memory Size: ${config.memorySize} MB`,
      `Max Memory Used: ${Math.min(config.memorySize, reply?.heapMb ?? config.memorySize)} MB`,
      ...(reply?.initMs === undefined ? [] : [`Init Duration: ${reply.initMs.toFixed(2)} ms`]),
    ].join('\t')
    // Without a reply (a timeout, an exit) the lines come from the file the host wrote them to, as Lambda keeps them.
    const output = reply?.output ?? readLog(request.logFile)
    if (request.logFile) removeQuietly(request.logFile)
    const log = `START RequestId: ${requestId} Version: $LATEST\n${output}${output && !output.endsWith('\n') ? '\n' : ''}${extraLog}END RequestId: ${requestId}\n${report}\t\n`
    return { body, functionError, log, logStream: this.logStream }
  }

  async retire(): Promise<void> {
    const sandbox = this.#sandbox
    this.#sandbox = undefined
    if (sandbox) await (await sandbox).retire()
  }
}
