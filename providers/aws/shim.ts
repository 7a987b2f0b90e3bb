/**
 * Runs in AWS Lambda next to the user's bundle: adapts Lambda's
 * `handler(event, context)` contract to `runDefinition`. The artifact's
 * `index.mjs` exports the result of `createEntry` as `handler`, so the
 * function's handler setting is `index.handler`. Besides direct invokes
 * (and schedules, whose input is already the payload) it takes function
 * URL requests, SQS batches, SNS notifications and S3 events.
 */
import { type LogSink, routeConsole } from '../../src/runtime/console-capture.ts'
import type { Envelope } from '../../src/runtime/envelope.ts'
import { httpResultOf } from '../../src/runtime/http-envelope.ts'
import { type RunnableDefinition, type RunOptions, runDefinition } from '../../src/runtime/run-definition.ts'
import { formatLogLine } from './log-format.ts'
import {
  isSnsEvent,
  isSqsEvent,
  isUrlEvent,
  messageOfSnsEvent,
  normalizeScheduleEvent,
  type SqsEvent,
  urlResultOf,
  wireOfUrlEvent,
} from './shim-events.ts'
import { isS3Event, storageEventOfS3 } from './triggers/storage-event.ts'

/** The part of Lambda's context object the shim uses. */
export interface LambdaContext {
  awsRequestId: string
  getRemainingTimeInMillis(): number
}

export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>

/** How long before Lambda's deadline a batch answers: 10% of the time left, at most a second. */
export function batchMarginMs(remainingMs: number): number {
  return Math.min(1000, Math.max(0, remainingMs) / 10)
}

/**
 * The messages of a batch run concurrently, each as an execution of its own
 * (as the Azure host runs its batch), so one slow message does not use up
 * the others' time. Shortly before Lambda's deadline the batch answers:
 * failed and unfinished messages are reported by id, so Lambda deletes the
 * finished ones and SQS redelivers (in the end dead-letters) only the rest.
 * Had it waited for the timeout, the whole batch would be redelivered.
 */
async function runBatch(definition: RunnableDefinition, event: SqsEvent, options: RunOptions) {
  const failed = new Set<string>()
  const unfinished = new Set(event.Records.map((record) => record.messageId))
  const runs = event.Records.map(async (record, index) => {
    // Each message is an execution of its own, as on the clouds that deliver one message per request.
    const own = {
      ...options,
      executionId: `${options.executionId}/${record.messageId}`,
      coldStart: options.coldStart && index === 0,
    }
    const envelope = JSON.parse(await runDefinition(definition, record.body, own)) as Envelope
    unfinished.delete(record.messageId)
    if (envelope.ok) return
    options.log('error', `Message ${record.messageId} failed: ${envelope.error.name}: ${envelope.error.message}`)
    failed.add(record.messageId)
  })
  const remaining = options.deadline - Date.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const cutOff = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, remaining - batchMarginMs(remaining)))
  })
  await Promise.race([Promise.all(runs), cutOff])
  clearTimeout(timer)
  for (const messageId of unfinished) {
    options.log('error', `Message ${messageId} did not finish before the function's timeout; it will be delivered again`)
  }
  // In the order Lambda sent them, for readable logs and stable answers.
  const batchItemFailures = event.Records.filter(
    (record) => failed.has(record.messageId) || unfinished.has(record.messageId),
  ).map((record) => ({ itemIdentifier: record.messageId }))
  return { batchItemFailures }
}

export function createEntry(definition: RunnableDefinition): LambdaHandler {
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
      // Lambda's reserved variable; cloudfn names a Lambda function exactly as the cloudfn function (deploy.ts).
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    }
    coldStart = false
    try {
      if (definition.trigger?.kind === 'http' && isUrlEvent(event)) {
        const wire = wireOfUrlEvent(event, definition.trigger.auth === 'iam')
        const envelope = await runDefinition(definition, JSON.stringify(wire), options)
        return urlResultOf(httpResultOf(envelope, (message) => log('error', message)))
      }
      if (definition.trigger?.kind === 'queue' && isSqsEvent(event)) return await runBatch(definition, event, options)
      if (definition.trigger?.kind === 'topic' && isSnsEvent(event)) {
        const envelope = JSON.parse(await runDefinition(definition, messageOfSnsEvent(event), options)) as Envelope
        // SNS invokes asynchronously: only a thrown error makes Lambda retry the copy and, at the end, dead-letter it.
        if (!envelope.ok) throw new Error(`${envelope.error.name}: ${envelope.error.message}`)
        return null
      }
      if (definition.trigger?.kind === 'storage' && isS3Event(event)) {
        // S3 invokes asynchronously, one record per change: a thrown error makes Lambda retry the event.
        for (const record of event.Records) {
          const payload = JSON.stringify(storageEventOfS3(record))
          const envelope = JSON.parse(await runDefinition(definition, payload, options)) as Envelope
          if (!envelope.ok) throw new Error(`${envelope.error.name}: ${envelope.error.message}`)
        }
        return null
      }
      const input = definition.trigger?.kind === 'schedule' ? normalizeScheduleEvent(event) : event
      // Lambda has already decoded the request; the envelope object is encoded again by the runtime.
      const envelope = await runDefinition(definition, JSON.stringify(input) ?? 'null', options)
      return JSON.parse(envelope) as unknown
    } finally {
      sink = undefined
    }
  }
}
