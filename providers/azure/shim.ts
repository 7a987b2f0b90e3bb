/**
 * Runs in Azure Functions, bundled with the user's function and
 * `@azure/functions` (the v4 programming model). It registers the function
 * the deployed trigger calls for: an HTTP function at every path of the app
 * for `http()`, or the keyed envelope endpoint (`POST /api/cloudfn`, used by
 * invoke) plus a timer, storage-queue or Event Grid (topic, storage) function. The host provides
 * `@azure/functions-core`, through which the registrations reach it.
 */
import { app, type HttpRequest, HttpResponse, type HttpResponseInit, type InvocationContext } from '@azure/functions'
import type { LogLevel } from '../../src/runtime/context.ts'
import { failureEnvelope } from '../../src/runtime/envelope.ts'
import { httpResultOf } from '../../src/runtime/http-envelope.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import {
  DEFAULT_FUNCTION_TIMEOUT_SEC,
  ENVELOPE_ROUTE,
  FUNCTION_NAME,
  FUNCTION_NAME_SETTING,
  HTTP_ROUTE,
  parseTimeSpan,
  QUEUE_FUNCTION,
  QUEUE_NAME_SETTING,
  STORAGE_FUNCTION,
  STORAGE_SETTING,
  TIMEOUT_SETTING,
  TIMER_FUNCTION,
  TOPIC_FUNCTION,
} from './constants.ts'
import { CRASH_GRACE_MS, installCrashGuard } from './crash-guard.ts'
import { groupSetCookieLines } from './triggers/cookies.ts'
import { type HostTimer, queuePayloadOf, scheduledTimeOf, topicPayloadOf, wireRequestOf } from './triggers/events.ts'
import { ncrontabOf } from './triggers/schedule.ts'
import { type BlobEventLike, storageEventOfBlob } from './triggers/storage-event.ts'

function logTo(context: InvocationContext, level: LogLevel, message: string): void {
  if (level === 'log') context.log(message)
  else context[level](message)
}

/** Whole seconds past the crashed worker's grace, when the host has started the next one. */
const CRASH_RETRY_AFTER_SEC = Math.ceil(CRASH_GRACE_MS / 1000)

export function createEntry(definition: RunnableDefinition): undefined {
  // One worker process serves many invocations (concurrently, too): only its first is cold.
  let coldStart = true
  const timeoutSec = parseTimeSpan(process.env[TIMEOUT_SETTING]) ?? DEFAULT_FUNCTION_TIMEOUT_SEC
  const run = (payload: string, context: InvocationContext) => {
    const cold = coldStart
    coldStart = false
    return runDefinition(definition, payload, {
      executionId: context.invocationId,
      coldStart: cold,
      deadline: Date.now() + timeoutSec * 1000,
      // The app's name is derived from the cloudfn name (names.ts appName); the provider writes the name itself.
      functionName: process.env[FUNCTION_NAME_SETTING],
      log: (level, message) => logTo(context, level, message),
    })
  }
  /** A failed execution throws, so the host counts it as failed: it retries queue messages, then poisons them. */
  const runOrThrow = async (payload: string, context: InvocationContext) => {
    const envelope = JSON.parse(await run(payload, context)) as { ok: boolean; error?: { name: string; message: string } }
    if (!envelope.ok) throw new Error(`${envelope.error?.name}: ${envelope.error?.message}`)
  }
  const { trigger } = definition

  if (trigger?.kind === 'http') {
    // Streams hand the request and response to the host over HTTP, where every `set-cookie` line can go as it is.
    app.setup({ enableHttpStream: true })
    const keyed = trigger.auth === 'key'
    app.http(FUNCTION_NAME, {
      // Every method reaches the handler: the runtime answers 405 with Allow, where the host would answer 404.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      authLevel: keyed ? 'function' : 'anonymous',
      route: HTTP_ROUTE,
      handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
        const wire = await wireRequestOf(request, keyed)
        const result = httpResultOf(await run(JSON.stringify(wire), context), (message) => context.error(message))
        // The library's own class: it sends an instance as it is, with the headers object it holds.
        const response = new HttpResponse({
          status: result.status,
          headers: result.headers,
          body: Buffer.from(result.body, 'base64'),
        })
        groupSetCookieLines(response.headers)
        return response
      },
    })
    return undefined
  }

  // A crash of the function's code is answered with an envelope too, so that a bare 500 means the platform (crash-guard.ts).
  const guard = installCrashGuard()
  app.http(FUNCTION_NAME, {
    methods: ['POST'],
    authLevel: 'function',
    route: ENVELOPE_ROUTE,
    handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      // The host still routes invocations to a worker that is ending after a crash: one arriving in that moment is
      // not run but answered as the host answers when it has no capacity (429 with Retry-After), which the caller
      // retries, reaching the worker the host starts next, instead of dying with this one as a bare 500.
      if (guard.ending) {
        return {
          status: 429,
          body: 'The worker is restarting after a crash',
          headers: { 'retry-after': String(CRASH_RETRY_AFTER_SEC) },
        }
      }
      const payload = await request.text()
      const cold = coldStart
      const started = performance.now()
      const envelope = await guard.run(
        () => run(payload, context),
        (error) =>
          failureEnvelope(error, {
            coldStart: cold,
            durationMs: Math.round((performance.now() - started) * 1000) / 1000,
            executionId: context.invocationId,
          }),
      )
      return { status: 200, body: envelope, headers: { 'content-type': 'application/json' } }
    },
  })
  if (trigger?.kind === 'schedule') {
    app.timer(TIMER_FUNCTION, {
      schedule: ncrontabOf(trigger.cron),
      handler: (timer: HostTimer, context: InvocationContext) =>
        runOrThrow(JSON.stringify({ scheduledTime: scheduledTimeOf(timer, Date.now()) }), context),
    })
  }
  if (trigger?.kind === 'queue') {
    app.storageQueue(QUEUE_FUNCTION, {
      queueName: `%${QUEUE_NAME_SETTING}%`,
      connection: STORAGE_SETTING,
      handler: (message: unknown, context: InvocationContext) => runOrThrow(queuePayloadOf(message), context),
    })
  }
  if (trigger?.kind === 'topic') {
    // The event subscription delivers one Event Grid event per invocation; a throw makes the host answer 500,
    // so Event Grid redelivers it, then dead-letters it (triggers/topic.ts).
    app.eventGrid(TOPIC_FUNCTION, {
      handler: (event: unknown, context: InvocationContext) => runOrThrow(topicPayloadOf(event), context),
    })
  }
  if (trigger?.kind === 'storage') {
    // The system topic's event subscription delivers one blob event per invocation, already filtered by type,
    // container, prefix and suffix (triggers/storage.ts); a throw makes Event Grid redeliver it.
    app.eventGrid(STORAGE_FUNCTION, {
      handler: async (event: unknown, context: InvocationContext) => {
        const neutral = storageEventOfBlob(event as BlobEventLike)
        if (neutral) await runOrThrow(JSON.stringify(neutral), context)
      },
    })
  }
  return undefined
}
