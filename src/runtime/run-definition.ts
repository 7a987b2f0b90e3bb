import { formatLogArgs } from './console-capture.ts'
import type { FunctionContext, LogLevel } from './context.ts'
import { failureEnvelope, type InvocationMeta, successEnvelope, toRemoteError } from './envelope.ts'

/** The part of a function definition that the runtime needs. */
export interface RunnableDefinition {
  name: string
  handler: (input: never, ctx: FunctionContext) => unknown
}

export interface RunOptions {
  executionId: string
  coldStart: boolean
  /** Epoch milliseconds at which the platform stops the function. */
  deadline: number
  /** Where `ctx.log` writes. */
  log: (level: LogLevel, message: string) => void
}

/**
 * Decodes the request, calls the handler and encodes its outcome as envelope
 * text. Every shim and the local fake call this, so the semantics (JSON
 * round trip, error shape, meta) are the same on every backend.
 */
export async function runDefinition(definition: RunnableDefinition, payloadJson: string, options: RunOptions): Promise<string> {
  const started = performance.now()
  const meta = (): InvocationMeta => ({
    coldStart: options.coldStart,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    executionId: options.executionId,
  })
  const ctx: FunctionContext = {
    executionId: options.executionId,
    functionName: definition.name,
    coldStart: options.coldStart,
    remainingMs: () => Math.max(0, options.deadline - Date.now()),
    log: (...args) => options.log('log', formatLogArgs(args)),
  }
  let value: unknown
  try {
    const input = JSON.parse(payloadJson) as never
    value = await definition.handler(input, ctx)
  } catch (thrown) {
    return failureEnvelope(toRemoteError(thrown), meta())
  }
  let valueJson: string
  try {
    valueJson = JSON.stringify(value) ?? 'null'
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown)
    return failureEnvelope(
      { name: 'TypeError', message: `The handler's return value is not JSON-serializable: ${reason}` },
      meta(),
    )
  }
  return successEnvelope(valueJson, meta())
}
