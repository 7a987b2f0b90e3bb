/**
 * Runs in AWS Lambda next to the user's bundle: adapts Lambda's
 * `handler(event, context)` contract to `runDefinition`. The artifact's
 * `index.mjs` exports the result of `createEntry` as `handler`, so the
 * function's handler setting is `index.handler`. Besides direct invokes
 * (and schedules, whose input is already the payload) it takes function
 * URL requests and SQS batches.
 */
import { type LogSink, routeConsole } from '../../src/runtime/console-capture.ts'
import type { Envelope } from '../../src/runtime/envelope.ts'
import { httpResultOf } from '../../src/runtime/http-envelope.ts'
import { type RunnableDefinition, type RunOptions, runDefinition } from '../../src/runtime/run-definition.ts'
import { formatLogLine } from './log-format.ts'
import { isSqsEvent, isUrlEvent, normalizeScheduleEvent, type SqsEvent, urlResultOf, wireOfUrlEvent } from './shim-events.ts'

/** The part of Lambda's context object the shim uses. */
export interface LambdaContext {
  awsRequestId: string
  getRemainingTimeInMillis(): number
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>

interface TriggeredDefinition extends RunnableDefinition {
  trigger?: { kind: string; methods?: readonly string[]; auth?: string } | undefined
}

/**
 * Each message of the batch runs the handler on its own; the ones that
 * failed are reported by id, so Lambda deletes the rest and SQS redelivers
 * (and in the end dead-letters) only those.
 */
async function runBatch(definition: RunnableDefinition, event: SqsEvent, options: RunOptions) {
  const batchItemFailures: Array<{ itemIdentifier: string }> = []
  for (const [index, record] of event.Records.entries()) {
    // Each message is an execution of its own, as on the clouds that deliver one message per request.
    const own = {
      ...options,
      executionId: `${options.executionId}/${record.messageId}`,
      coldStart: options.coldStart && index === 0,
    }
    const envelope = JSON.parse(await runDefinition(definition, record.body, own)) as Envelope
    if (envelope.ok) continue
    options.log('error', `Message ${record.messageId} failed: ${envelope.error.name}: ${envelope.error.message}`)
    batchItemFailures.push({ itemIdentifier: record.messageId })
  }
  return { batchItemFailures }
}

export function createEntry(definition: TriggeredDefinition): LambdaHandler {
  let coldStart = true
  // Lambda sends one event at a time to an instance, so a variable tracks the current execution.
  let sink: LogSink | undefined
  routeConsole(() => sink)
  return async (event, context) => {
    const requestId = context.awsRequestId
    const log: LogSink = (level, message) => {
      process.stdout.write(`${formatLogLine(new Date().toISOString(), requestId, level, message)}\n`)
    }
    sink = log
    const options: RunOptions = {
      executionId: requestId,
      coldStart,
      deadline: Date.now() + context.getRemainingTimeInMillis(),
      log,
    }
    coldStart = false
    try {
      if (definition.trigger?.kind === 'http' && isUrlEvent(event)) {
        const wire = wireOfUrlEvent(event, definition.trigger.auth === 'iam')
        const envelope = await runDefinition(definition, JSON.stringify(wire), options)
        return urlResultOf(httpResultOf(envelope, (message) => log('error', message)))
      }
      if (definition.trigger?.kind === 'queue' && isSqsEvent(event)) return await runBatch(definition, event, options)
      const input = definition.trigger?.kind === 'schedule' ? normalizeScheduleEvent(event) : event
      // Lambda has already decoded the request; the envelope object is encoded again by the runtime.
      const envelope = await runDefinition(definition, JSON.stringify(input) ?? 'null', options)
      return JSON.parse(envelope) as unknown
    } finally {
      sink = undefined
    }
  }
}
