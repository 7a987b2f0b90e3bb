/**
 * Differential test of the emulator's runtime against AWS's own Node.js
 * runtime interface client (aws-lambda-ric 3.x for nodejs22.x, 4.x for
 * nodejs24.x, run by ../__fixtures__/ric-runtime-api.ts). Every handler runs
 * under both; the test compares what an Invoke caller gets (payload,
 * FunctionError, the error body's fields and the user frames of its trace) and
 * the console lines of the log. Paths are normalised: the code folder to
 * /var/task, the runtime's own file to /var/runtime/index.mjs.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { CreateFunctionCommand, InvokeCommand, LambdaClient, type Runtime } from '@aws-sdk/client-lambda'
import { unzipSync, zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, fail } from '../../../conformance/fixtures/functions.ts'
import type { FunctionDefinition } from '../../../src/define.ts'
import { packageFunction } from '../../../src/package/index.ts'
import { packageFile } from '../../../src/package/package-root.ts'
import { invokeAnswer, RIC_ENTRY, type RicVersion, runUnderRic } from '../__fixtures__/ric-runtime-api.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from './index.ts'

const region = 'us-east-1'
const emulator = createAwsEmulator({ region, stateDelayMs: 0, updateDelayMs: 0, roleDelayMs: 0 })
const lambda = new LambdaClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
const encoder = new TextEncoder()

interface Case {
  name: string
  /** Files of the function, by path; `index.mjs` when a string. */
  files: string | Record<string, string>
  /** A cloudfn function: its AWS artifact (bundle and shim) replaces `files`. */
  artifact?: FunctionDefinition<never, unknown>
  handler?: string
  event?: unknown
  /** Only under these runtime client versions (default both). */
  versions?: RicVersion[]
  /** Compare the console lines of the log too. */
  logs?: boolean
}

const ESM = (body: string) => body

const CASES: Case[] = [
  // Results of every JSON kind, and the values JSON.stringify changes or drops.
  {
    name: 'returns an object',
    files: ESM('export const handler = async (event) => ({ got: event, n: 1.5, s: "é😀" })'),
    event: { a: [1, 'x'] },
  },
  { name: 'returns an array', files: 'export const handler = async () => [1, "two", null, { three: 3 }]' },
  { name: 'returns a string', files: 'export const handler = async () => "plain text"' },
  { name: 'returns a number', files: 'export const handler = async () => 42' },
  { name: 'returns false', files: 'export const handler = async () => false' },
  { name: 'returns null', files: 'export const handler = async () => null' },
  { name: 'returns undefined', files: 'export const handler = async () => undefined' },
  { name: 'returns a Date', files: 'export const handler = async () => new Date(0)' },
  {
    name: 'returns an object with undefined and function fields',
    files: 'export const handler = async () => ({ a: undefined, f() {}, b: 1 })',
  },
  { name: 'returns a BigInt (not serialisable)', files: 'export const handler = async () => 1n' },
  { name: 'returns a circular object', files: 'export const handler = async () => { const o = {}; o.self = o; return o }' },
  { name: 'sync handler returning a value', files: 'export const handler = (event) => ({ sync: event })', event: 'text event' },
  { name: 'echoes an array event', files: 'export const handler = async (event) => event', event: [1, 2, 3] },
  // Errors thrown and rejected.
  { name: 'throws an Error', files: 'export const handler = async () => { throw new Error("boom") }' },
  { name: 'throws a TypeError', files: 'export const handler = async () => { null.x }' },
  {
    name: 'throws an Error subclass with a name',
    files:
      'class MyError extends Error { constructor(m) { super(m); this.name = "MyError" } }\nexport const handler = async () => { throw new MyError("mine") }',
  },
  {
    name: 'throws an Error with extra fields',
    files: 'export const handler = async () => { throw Object.assign(new Error("coded"), { code: "E1", status: 5 }) }',
  },
  { name: 'throws an Error without a message', files: 'export const handler = async () => { throw new Error() }' },
  { name: 'throws a string', files: 'export const handler = async () => { throw "just a string" }' },
  { name: 'throws an object', files: 'export const handler = async () => { throw { code: 7 } }' },
  { name: 'throws null', files: 'export const handler = async () => { throw null }' },
  { name: 'sync handler throws', files: 'export const handler = () => { throw new RangeError("sync") }' },
  { name: 'rejects with a string', files: 'export const handler = () => Promise.reject("nope")' },
  { name: 'multi-line error message', files: 'export const handler = async () => { throw new Error("line one\\nline two") }' },
  // Callback handlers (refused on nodejs24.x: see runtime-generations.test.ts).
  {
    name: 'callback with a result',
    files: 'export const handler = (event, context, callback) => { callback(null, { cb: true }) }',
    versions: [3],
  },
  {
    name: 'callback with an Error',
    files: 'export const handler = (event, context, callback) => { callback(new Error("cb failed")) }',
    versions: [3],
  },
  {
    name: 'callback with a string error',
    files: 'export const handler = (event, context, callback) => { callback("cb text") }',
    versions: [3],
  },
  {
    name: 'callback called later',
    files: 'export const handler = (e, c, callback) => { setTimeout(() => callback(null, "late"), 5) }',
    versions: [3],
  },
  { name: 'callback never called', files: 'export const handler = (event, context, callback) => {}', versions: [3] },
  {
    name: 'callback waits for the event loop',
    logs: true,
    files:
      'export const handler = (e, c, callback) => { setTimeout(() => console.log("timer ran"), 20); callback(null, "after timer") }',
    versions: [3],
  },
  {
    name: 'callbackWaitsForEmptyEventLoop false',
    files: 'export const handler = (e, c, callback) => { c.callbackWaitsForEmptyEventLoop = false; callback(null, "at once") }',
    versions: [3],
  },
  {
    name: 'context.succeed',
    files: 'export const handler = (event, context) => { context.succeed({ via: "succeed" }) }',
    versions: [3],
  },
  {
    name: 'context.fail',
    files: 'export const handler = (event, context) => { context.fail(new Error("via fail")) }',
    versions: [3],
  },
  // The context object.
  {
    name: 'context fields',
    files: `export const handler = async (event, context) => ({
      functionName: context.functionName, functionVersion: context.functionVersion, memory: context.memoryLimitInMB,
      logGroup: context.logGroupName, arnNamesIt: context.invokedFunctionArn.endsWith(':function:' + context.functionName),
      remainingOk: context.getRemainingTimeInMillis() > 0 && context.getRemainingTimeInMillis() <= 20000,
      waits: context.callbackWaitsForEmptyEventLoop, keys: Object.keys(context).filter((k) => typeof context[k] !== 'function').sort(),
    })`,
  },
  // Module formats and handler paths.
  { name: 'CommonJS index.js', files: { 'index.js': 'exports.handler = async () => "cjs"' } },
  { name: 'CommonJS .cjs', files: { 'app.cjs': 'module.exports.run = async () => "cjs2"' }, handler: 'app.run' },
  {
    name: 'handler in a subfolder',
    files: { 'src/app.mjs': 'export const handler = async () => "nested"' },
    handler: 'src/app.handler',
  },
  { name: 'nested export path', files: 'export const api = { v1: { get: async () => "deep" } }', handler: 'index.api.v1.get' },
  { name: 'default export object', files: 'export default { handler: async () => "default" }' },
  // Init errors.
  { name: 'syntax error', files: 'export const handler = async () => {' },
  { name: 'handler file missing', logs: true, files: 'export const handler = async () => 1', handler: 'missing.handler' },
  { name: 'imports a missing package', files: 'import "no-such-package-xyz"\nexport const handler = async () => 1' },
  {
    name: 'CommonJS requires a missing package',
    files: { 'index.js': 'require("no-such-package-xyz")\nexports.handler = async () => 1' },
  },
  { name: 'export missing', files: 'export const other = async () => 1' },
  { name: 'export not a function', files: 'export const handler = 42' },
  { name: 'throws during init', files: 'throw new Error("init failed")\nexport const handler = async () => 1' },
  { name: 'malformed handler setting', files: 'export const handler = async () => 1', handler: 'index' },
  // The process ends or is left with an error.
  { name: 'async handler never settles', files: 'export const handler = async () => new Promise(() => {})' },
  { name: 'process.exit(0)', files: 'export const handler = async () => { process.exit(0) }' },
  { name: 'process.exit(3)', files: 'export const handler = async () => { process.exit(3) }' },
  {
    name: 'unhandled rejection',
    files:
      'export const handler = async () => { Promise.reject(new Error("lost")); await new Promise((r) => setTimeout(r, 50)); return "x" }',
  },
  {
    name: 'throw in a timer',
    files:
      'export const handler = async () => { setTimeout(() => { throw new Error("in timer") }); await new Promise((r) => setTimeout(r, 50)); return "x" }',
  },
  // Console lines: each carries the time, the request id and the level.
  {
    name: 'console output format',
    logs: true,
    files: `console.log('at init')
export const handler = async () => {
  console.log('log', { a: 1 }); console.info('info'); console.warn('warn'); console.error('error %s', 'fmt')
  console.debug('debug'); console.trace('trace'); console.log('two\\nlines')
  return 1
}`,
  },
  { name: 'console output of a failure', logs: true, files: 'export const handler = async () => { throw new Error("logged") }' },
  // cloudfn's own AWS artifacts: the bundle with the AWS shim, as deploy uploads it.
  {
    name: 'cloudfn artifact: echo',
    files: {},
    artifact: echo as never,
    event: { hello: 'wörld', list: [1, null, 'x'] },
    logs: true,
  },
  { name: 'cloudfn artifact: a thrown error', files: {}, artifact: fail as never, event: { message: 'nope' }, logs: true },
  { name: 'cloudfn artifact: a thrown string', files: {}, artifact: fail as never, event: { message: 'text', kind: 'string' } },
]

interface Answer {
  payload: string
  functionError: boolean
  log?: string
}

const RUNTIME: Record<RicVersion, Runtime> = { 3: 'nodejs22.x', 4: 'nodejs24.x' }
const TASK = '/var/task'
const RUNTIME_FILE = '/var/runtime/index.mjs'

const artifacts = new Map<Case, Record<string, string>>()

function fileMap(c: Case): Record<string, string> {
  return artifacts.get(c) ?? (typeof c.files === 'string' ? { 'index.mjs': c.files } : c.files)
}

/** A cloudfn envelope's volatile parts (duration, execution id, stack frames) made comparable. */
function comparablePayload(payload: string, requestIds: readonly string[]): string {
  let text = payload
  for (const id of requestIds) text = text.replaceAll(id, '<request>')
  const value = JSON.parse(text) as unknown
  if (typeof value !== 'object' || value === null || !('meta' in value)) return text
  const envelope = value as { meta: Record<string, unknown>; error?: { stack?: string } }
  envelope.meta.durationMs = 0
  if (envelope.error?.stack) envelope.error.stack = envelope.error.stack.split('\n')[0] ?? ''
  return JSON.stringify(envelope)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Replaces the code folder and the runtime's own files with Lambda's paths. */
function normalizePaths(text: string, codeDirs: readonly string[]): string {
  let out = text.replace(/file:\/\//g, '')
  for (const dir of codeDirs) out = out.replace(new RegExp(escapeRegExp(dir), 'g'), TASK)
  for (const entry of Object.values(RIC_ENTRY).flatMap((path) => [realpathSync(path), path])) {
    out = out.replace(new RegExp(escapeRegExp(entry), 'g'), RUNTIME_FILE)
  }
  // The emulator's host script and Node's internals are not user frames; nor is ric's.
  return out.replace(/\/[^\s'"():]*\/cloudfn-hosts\/[0-9a-f]+\.mjs/g, RUNTIME_FILE)
}

/** The parts of an error body Lambda users read: type, message, the first trace line and the user's frames. */
function comparableError(payload: string, codeDirs: readonly string[], requestIds: readonly string[]): unknown {
  let text = normalizePaths(payload, codeDirs)
  for (const id of requestIds) text = text.replaceAll(id, '<request>')
  const body = JSON.parse(text) as Record<string, unknown>
  const trace = Array.isArray(body.trace) ? (body.trace as string[]) : undefined
  return {
    keys: Object.keys(body).sort(),
    errorType: body.errorType,
    errorMessage: body.errorMessage,
    trace: trace && [
      trace[0],
      ...trace
        .slice(1)
        .filter((line) => line.includes(TASK))
        .map((line) => line.replace(/^\s+at \S+ /, 'at ')),
    ],
  }
}

/** Console lines of one invocation with the time and request id replaced. */
function consoleLines(log: string, requestIds: readonly string[]): string[] {
  let text = log.replace(/\r/g, '\n').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
  for (const id of requestIds) text = text.replaceAll(id, '<request>')
  return text
    .split('\n')
    .filter((line) => line.startsWith('<time>\t'))
    .map((line) => line.replace(/\t\{"errorType".*$/, '\t<error JSON>').replace(/^(<time>\t\S+\tTRACE\ttrace).*/, '$1'))
}

const codeDirs: string[] = []
const results = new Map<string, { ric: Answer; emulator: Answer; requestIds: string[] } | { failed: unknown }>()

function key(c: Case, version: RicVersion): string {
  return `${c.name} @ ${RUNTIME[version]}`
}

async function underRic(c: Case, version: RicVersion): Promise<{ answer: Answer; requestId: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ric-diff-'))
  codeDirs.push(dir)
  for (const [path, text] of Object.entries(fileMap(c))) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  const run = await runUnderRic({
    version,
    codeDir: dir,
    handler: c.handler ?? 'index.handler',
    runtime: RUNTIME[version],
    events: [JSON.stringify(c.event ?? {})],
    functionName: functionName(c, version),
    timeoutSec: 20,
  })
  const outcome = run.outcomes[0]
  const requestId = run.requestIds[0] ?? ''
  if (!outcome) throw new Error(`${key(c, version)}: the runtime posted nothing\n${run.output}`)
  return { answer: { ...invokeAnswer(outcome, requestId), log: run.output }, requestId }
}

function functionName(c: Case, version: RicVersion): string {
  return `diff-${version}-${c.name.replace(/[^A-Za-z0-9]+/g, '-')}`.slice(0, 64)
}

async function underEmulator(c: Case, version: RicVersion): Promise<{ answer: Answer; requestId: string }> {
  const name = functionName(c, version)
  const zip = zipSync(Object.fromEntries(Object.entries(fileMap(c)).map(([path, text]) => [path, encoder.encode(text)])))
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: 'arn:aws:iam::123456789012:role/test',
      Runtime: RUNTIME[version],
      Handler: c.handler ?? 'index.handler',
      Code: { ZipFile: zip },
      // Generous: the emulator's timeout also covers starting the worker, which is slow on a busy machine.
      Timeout: 20,
    }),
  )
  const output = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: encoder.encode(JSON.stringify(c.event ?? {})), LogType: 'Tail' }),
  )
  return {
    answer: {
      payload: new TextDecoder().decode(output.Payload ?? new Uint8Array()),
      functionError: output.FunctionError === 'Unhandled',
      log: Buffer.from(output.LogResult ?? '', 'base64').toString('utf8'),
    },
    requestId: output.$metadata.requestId ?? '',
  }
}

/** Runs `work` over `items`, `limit` at a time (the machine is shared; a few processes at once). */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (index < items.length) {
        const item = items[index++] as T
        await work(item)
      }
    }),
  )
}

const RUNS = CASES.flatMap((c) => (c.versions ?? ([3, 4] as const)).map((version) => ({ c, version })))

beforeAll(async () => {
  emulator.listen()
  for (const c of CASES) {
    if (!c.artifact) continue
    const artifact = await packageFunction(c.artifact, { shimPath: packageFile('providers/aws/shim.ts') })
    artifacts.set(
      c,
      Object.fromEntries(Object.entries(unzipSync(artifact.zip)).map(([path, bytes]) => [path, new TextDecoder().decode(bytes)])),
    )
  }
  await pool(RUNS, 3, async ({ c, version }) => {
    try {
      const [ric, emulated] = await Promise.all([underRic(c, version), underEmulator(c, version)])
      results.set(key(c, version), {
        ric: ric.answer,
        emulator: emulated.answer,
        requestIds: [ric.requestId, emulated.requestId],
      })
    } catch (failed) {
      results.set(key(c, version), { failed })
    }
  })
}, 600_000)

afterAll(async () => {
  await emulator.close()
  for (const dir of codeDirs) rmSync(dir, { recursive: true, force: true })
})

function emulatorCodeDirs(log: string | undefined): string[] {
  // The emulator's unpack folder shows in traces; it is recognised by its temp-root prefix.
  const found = new Set<string>()
  for (const match of (log ?? '').replace(/file:\/\//g, '').matchAll(/\/[^\s'"():]*cloudfn-unpacked-[^/\s]+\/[0-9a-f]+/g))
    found.add(match[0])
  return [...found]
}

describe('the emulator runs handlers as aws-lambda-ric does', () => {
  for (const { c, version } of RUNS) {
    it(key(c, version), () => {
      const result = results.get(key(c, version))
      if (!result) throw new Error('not run')
      if ('failed' in result) throw result.failed
      const { ric, emulator: emulated } = result
      expect(emulated.functionError, `FunctionError; ric posted ${ric.payload}, emulator ${emulated.payload}`).toBe(
        ric.functionError,
      )
      const dirs = [...codeDirs, ...emulatorCodeDirs(emulated.payload), ...emulatorCodeDirs(emulated.log)]
      if (ric.functionError) {
        expect(comparableError(emulated.payload, dirs, result.requestIds)).toEqual(
          comparableError(ric.payload, dirs, result.requestIds),
        )
      } else {
        expect(comparablePayload(emulated.payload, result.requestIds)).toBe(comparablePayload(ric.payload, result.requestIds))
      }
      if (c.logs) {
        expect(consoleLines(emulated.log ?? '', result.requestIds)).toEqual(consoleLines(ric.log ?? '', result.requestIds))
      }
    })
  }
})
