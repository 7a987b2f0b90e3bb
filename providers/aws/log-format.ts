/**
 * The one-line log format the AWS shim writes to stdout (which Lambda sends
 * to CloudWatch Logs) and the provider parses back. It follows Lambda's own
 * text format, `time<TAB>requestId<TAB>LEVEL<TAB>message`, but keeps
 * `console.log` (LOG) apart from `console.info` (INFO) so every backend reports
 * the same levels. Bundled into artifacts: keep it dependency-free.
 */
import type { LogEntry } from '../../src/provider.ts'
import type { LogLevel } from '../../src/runtime/context.ts'

const TOKENS: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', log: 'LOG', warn: 'WARN', error: 'ERROR' }
const LEVELS: Record<string, LogLevel> = { DEBUG: 'debug', INFO: 'info', LOG: 'log', WARN: 'warn', ERROR: 'error' }
const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\t([^\t]+)\t(DEBUG|INFO|LOG|WARN|ERROR)\t(.*)$/s
const PLATFORM = /^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY) /

/** One line; newlines inside the message become carriage returns, as Lambda's runtime does, so one call stays one event. */
export function formatLogLine(timestamp: string, requestId: string, level: LogLevel, message: string): string {
  return `${timestamp}\t${requestId}\t${TOKENS[level]}\t${message.replace(/\r?\n/g, '\r')}`
}

/** A log entry from one line the shim wrote; undefined for platform lines (START, REPORT, ...) and foreign output. */
export function parseLogLine(line: string): LogEntry | undefined {
  const match = LINE.exec(line.replace(/\n$/, ''))
  if (!match) return undefined
  const [, timestamp, executionId, token, message] = match as unknown as [string, string, string, string, string]
  return { timestamp, executionId, level: LEVELS[token] ?? 'log', message: message.replace(/\r/g, '\n') }
}

export function isPlatformLine(line: string): boolean {
  return PLATFORM.test(line)
}
