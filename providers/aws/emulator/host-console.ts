/**
 * What the function writes, captured for the execution's log, and `console`
 * patched as Lambda's runtime patches it: each call is one line
 * `time<TAB>requestId<TAB>LEVEL<TAB>message` (or one JSON object when
 * AWS_LAMBDA_LOG_FORMAT=JSON), newlines inside the message become carriage
 * returns, AWS_LAMBDA_LOG_LEVEL drops lower levels. References: aws-lambda-ric
 * 3.x src/LogPatch.js, 4.x src/logging/*; checked by ric-differential.test.ts.
 */
import { appendFileSync } from 'node:fs'
import { format } from 'node:util'
import { type Generation, intoError, toFormatted } from './host-errors.ts'

let output: string[] = []
/** The invocation's log file: what is written also goes there at once, so it outlives a process that ends. */
let logFile: string | undefined

function capture(chunk: unknown, encoding?: unknown, done?: unknown): boolean {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
  output.push(text)
  if (logFile) appendFileSync(logFile, text)
  const callback = typeof encoding === 'function' ? encoding : done
  if (typeof callback === 'function') callback()
  return true
}

/**
 * Where this invocation's output also goes (undefined between invocations).
 * What init wrote before it is copied there first, as it belongs to the
 * first invocation's log.
 */
export function setLogFile(path: string | undefined): void {
  logFile = path
  if (path && output.length > 0) appendFileSync(path, output.join(''))
}

/** Everything written since the last call. */
export function takeOutput(): string {
  const text = output.join('')
  output = []
  return text
}

interface Level {
  name: string
  priority: number
}

const LEVELS: Record<string, Level> = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
}

let requestId: string | undefined
let generation: Generation = 3

/** The request id console lines carry; before the first invocation 3.x writes "undefined", 4.x "-". */
export function setRequestId(id: string | undefined): void {
  requestId = id
}

function currentId(): string {
  return requestId ?? (generation === 3 ? 'undefined' : '-')
}

function jsonLine(level: Level, message: unknown, params: unknown[]): string {
  const result: Record<string, unknown> = { timestamp: new Date().toISOString(), level: level.name, requestId: currentId() }
  const replacer = (_key: string, value: unknown) =>
    value instanceof Error
      ? Object.assign(
          {
            errorType: value.constructor?.name ?? 'UnknownError',
            errorMessage: value.message,
            stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
          },
          value,
        )
      : value
  if (params.length === 0) {
    result.message = message
    try {
      return JSON.stringify(result, replacer)
    } catch {
      result.message = format(message)
      return JSON.stringify(result)
    }
  }
  result.message = format(message, ...params)
  const error = params.find((param): param is Error => param instanceof Error)
  if (error) {
    result.errorType = error.constructor?.name ?? 'UnknownError'
    result.errorMessage = error.message
    result.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : []
  }
  return JSON.stringify(result)
}

let json = false

function write(level: Level, message: unknown, params: unknown[]): void {
  const line = json
    ? jsonLine(level, message, params)
    : `${new Date().toISOString()}\t${currentId()}\t${level.name}\t${format(message, ...params)}`
  capture(`${line.replace(/\n/g, '\r')}\n`)
}

/** Captures stdout and stderr and patches `console` for runtime `gen`, reading the log settings from the environment. */
export function patchConsole(gen: Generation): void {
  generation = gen
  process.stdout.write = capture as typeof process.stdout.write
  process.stderr.write = capture as typeof process.stderr.write
  json = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON'
  const minimum = LEVELS[process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? ''] ?? (LEVELS.TRACE as Level)
  const method = (name: string) => {
    const level = LEVELS[name] as Level
    return level.priority >= minimum.priority
      ? (message?: unknown, ...params: unknown[]) => write(level, message, params)
      : () => {}
  }
  const patched = console as unknown as Record<string, unknown>
  patched.trace = method('TRACE')
  patched.debug = method('DEBUG')
  patched.info = method('INFO')
  patched.log = patched.info
  patched.warn = method('WARN')
  patched.error = method('ERROR')
  // 3.x logs FATAL whatever the level; 4.x drops it below the minimum like the rest.
  patched.fatal =
    gen === 3 ? (message?: unknown, ...params: unknown[]) => write(LEVELS.FATAL as Level, message, params) : method('FATAL')
}

/** The runtime's own error line ("Invoke Error", "Init Error", ...), as its structuredConsole writes it. */
export function logError(label: string, error: unknown): void {
  const asError = intoError(error)
  if (json) console.error(asError)
  else console.error(label, toFormatted(asError))
}
