import { fileURLToPath } from 'node:url'

const FRAME_FILE = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):\d+:\d+\)?$/

function frameFile(line: string): string | undefined {
  const match = FRAME_FILE.exec(line.trim())
  if (!match?.[1]) return undefined
  return match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1]
}

/**
 * The file of the code that called the function which calls this one. The
 * first frame is this module's caller itself (say, `defineFunction` in
 * whatever bundle cloudfn was loaded from); the answer is the first frame in
 * another file. Undefined when the stack cannot tell (eval, REPL).
 */
export function callerFile(): string | undefined {
  const holder: { stack?: string } = {}
  const previousLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 20
  Error.captureStackTrace(holder, callerFile)
  Error.stackTraceLimit = previousLimit
  const files = (holder.stack ?? '')
    .split('\n')
    .slice(1)
    .map(frameFile)
    .filter((file): file is string => file !== undefined && !file.startsWith('node:'))
  const self = files[0]
  return files.find((file) => file !== self)
}
