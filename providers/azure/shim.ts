/**
 * Runs in Azure Functions, bundled with the user's function and
 * `@azure/functions` (the v4 programming model). It registers one HTTP
 * function that reads the JSON payload, runs the definition and answers with
 * the cloudfn envelope. The host provides `@azure/functions-core`, through
 * which the registration reaches it.
 */
import { app, type HttpRequest, type InvocationContext } from '@azure/functions'
import type { LogLevel } from '../../src/runtime/context.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import { DEFAULT_FUNCTION_TIMEOUT_SEC, FUNCTION_NAME, parseTimeSpan, TIMEOUT_SETTING } from './constants.ts'

function logTo(context: InvocationContext, level: LogLevel, message: string): void {
  if (level === 'log') context.log(message)
  else context[level](message)
}

export function createEntry(definition: RunnableDefinition): undefined {
  // One worker process serves many invocations (concurrently, too): only its first is cold.
  let coldStart = true
  const timeoutSec = parseTimeSpan(process.env[TIMEOUT_SETTING]) ?? DEFAULT_FUNCTION_TIMEOUT_SEC
  app.http(FUNCTION_NAME, {
    methods: ['POST'],
    authLevel: 'function',
    route: FUNCTION_NAME,
    handler: async (request: HttpRequest, context: InvocationContext) => {
      const cold = coldStart
      coldStart = false
      const payload = await request.text()
      const envelope = await runDefinition(definition, payload, {
        executionId: context.invocationId,
        coldStart: cold,
        deadline: Date.now() + timeoutSec * 1000,
        log: (level, message) => logTo(context, level, message),
      })
      return { status: 200, body: envelope, headers: { 'content-type': 'application/json' } }
    },
  })
  return undefined
}
