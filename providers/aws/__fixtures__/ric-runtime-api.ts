/**
 * A loopback Lambda Runtime API (the documented /2018-06-01/runtime/* endpoints,
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) that drives AWS's
 * real Node.js runtime interface client, aws-lambda-ric, with a handler: version 3
 * (vendored in ric-v3/, the client of nodejs20.x / nodejs22.x) or version 4 (the
 * npm devDependency, the client of nodejs24.x). Only ric's native HTTP addon is
 * replaced (ric-native-client.cjs); loading, calling, error formatting and console
 * patching are AWS's code. The differential test compares what this yields with
 * what the emulator answers.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export type RicVersion = 3 | 4

export const RIC_ENTRY: Record<RicVersion, string> = {
  3: here('./ric-v3/index.mjs'),
  4: here('../../../node_modules/aws-lambda-ric/index.mjs'),
}

/** What the runtime posted for one invocation, or that its process ended first. */
export type RicOutcome =
  | { kind: 'response'; body: string }
  | { kind: 'error'; body: string }
  | { kind: 'init-error'; body: string; errorType: string }
  | { kind: 'exit'; code: number | null; signal: string | null }

export interface RicRun {
  requestIds: string[]
  outcomes: RicOutcome[]
  /** What the process wrote to stdout and stderr. */
  output: string
}

export interface RicOptions {
  version: RicVersion
  /** The unpacked function code (LAMBDA_TASK_ROOT and the process's cwd, as on Lambda). */
  codeDir: string
  handler: string
  /** Event payloads as JSON text, one invocation each. */
  events: string[]
  runtime: string
  functionName?: string
  timeoutSec?: number
  env?: Record<string, string>
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Runs `events` through the real runtime client, one at a time, and collects what it posted. */
export async function runUnderRic(options: RicOptions): Promise<RicRun> {
  const name = options.functionName ?? 'ric-diff'
  const timeoutSec = options.timeoutSec ?? 3
  const requestIds = options.events.map(() => randomUUID())
  const outcomes: RicOutcome[] = []
  let next = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  let child: ReturnType<typeof spawn> | undefined
  const settle = (outcome: RicOutcome) => {
    outcomes.push(outcome)
    if (outcomes.length >= options.events.length || outcome.kind === 'exit' || outcome.kind === 'init-error') {
      // One event's answer per outcome; an init error or exit ends the run (Lambda would start a new instance).
      finish()
    }
  }
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? ''
    if (request.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      const index = next++
      const event = options.events[index]
      const requestId = requestIds[index]
      if (event === undefined || requestId === undefined) return // held open until the process is stopped
      response.writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': requestId,
        'lambda-runtime-deadline-ms': String(Date.now() + timeoutSec * 1000),
        'lambda-runtime-invoked-function-arn': `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
        'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000;Sampled=0',
      })
      response.end(event)
      return
    }
    const body = await readBody(request)
    response.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}')
    if (url === '/2018-06-01/runtime/init/error') {
      settle({ kind: 'init-error', body, errorType: String(request.headers['lambda-runtime-function-error-type']) })
    } else if (url.endsWith('/response')) settle({ kind: 'response', body })
    else if (url.endsWith('/error')) settle({ kind: 'error', body })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  let output = ''
  try {
    child = spawn(process.execPath, ['--require', here('./ric-native-client.cjs'), RIC_ENTRY[options.version]], {
      cwd: options.codeDir,
      env: {
        PATH: process.env.PATH ?? '',
        TZ: ':UTC',
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
        _HANDLER: options.handler,
        LAMBDA_TASK_ROOT: options.codeDir,
        AWS_EXECUTION_ENV: `AWS_Lambda_${options.runtime}`,
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
        AWS_REGION: 'us-east-1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    const exited = new Promise<void>((resolve) => child?.once('close', () => resolve()))
    child.once('exit', (code, signal) => {
      if (outcomes.length < options.events.length) settle({ kind: 'exit', code, signal })
    })
    // A hang guard only: each run normally ends in well under a second.
    const guard = setTimeout(finish, 60_000)
    await finished
    clearTimeout(guard)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return { requestIds, outcomes, output }
}

/**
 * What Lambda's Invoke API answers the caller for a runtime outcome
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html and the
 * invoke API reference): a response as the payload; a posted error (invocation
 * or init) as `X-Amz-Function-Error: Unhandled` with the posted body; a runtime
 * that exits without posting as `Runtime.ExitError`.
 */
export function invokeAnswer(outcome: RicOutcome, requestId: string): { payload: string; functionError: boolean } {
  switch (outcome.kind) {
    case 'response':
      return { payload: outcome.body, functionError: false }
    case 'error':
    case 'init-error':
      return { payload: outcome.body, functionError: true }
    case 'exit': {
      const status = outcome.signal ? `signal: ${outcome.signal.replace('SIG', '').toLowerCase()}` : `exit status ${outcome.code}`
      // Status 0 as the Lambda developer guide shows it (monitoring-cloudwatchlogs, "runtime or extension crash").
      const errorMessage =
        outcome.code === 0
          ? `RequestId: ${requestId} Error: Runtime exited without providing a reason`
          : `RequestId: ${requestId} Error: Runtime exited with error: ${status}`
      return { payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage }), functionError: true }
    }
  }
}
