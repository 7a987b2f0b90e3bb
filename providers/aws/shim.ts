/**
 * Runs in AWS Lambda next to the user's bundle: adapts Lambda's
 * `handler(event, context)` contract to `runDefinition`. The artifact's
 * `index.mjs` exports the result of `createEntry` as `handler`, so the
 * function's handler setting is `index.handler`.
 */
import { type LogSink, routeConsole } from '../../src/runtime/console-capture.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import { formatLogLine } from './log-format.ts'

/** The part of Lambda's context object the shim uses. */
export interface LambdaContext {
  awsRequestId: string
  getRemainingTimeInMillis(): number
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>

export function createEntry(definition: RunnableDefinition): LambdaHandler {
  let coldStart = true
  // Lambda sends one event at a time to an instance, so a variable tracks the current execution.
  let sink: LogSink | undefined
  routeConsole(() => sink)
  return async (event, context) => {
    const requestId = context.awsRequestId
    sink = (level, message) => {
      process.stdout.write(`${formatLogLine(new Date().toISOString(), requestId, level, message)}\n`)
    }
    const options = {
      executionId: requestId,
      coldStart,
      deadline: Date.now() + context.getRemainingTimeInMillis(),
      log: sink,
    }
    coldStart = false
    try {
      // Lambda has already decoded the request; the envelope object is encoded again by the runtime.
      const envelope = await runDefinition(definition, JSON.stringify(event) ?? 'null', options)
      return JSON.parse(envelope) as unknown
    } finally {
      sink = undefined
    }
  }
}
