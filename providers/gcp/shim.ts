/**
 * Runs in Cloud Functions (2nd gen) next to the user's code: the bundle's
 * `handler` export is what the Functions Framework calls. The framework is
 * not imported: it is the runtime that imports this. It calls the export
 * either as an HTTP function, `(req, res)`, or, for a Pub/Sub-triggered
 * function (signature type `cloudevent`), as `(cloudEvent, callback)`.
 *
 * Over HTTP the shim tells apart:
 * - an HTTP-triggered function: every request is the user's, answered with
 *   the handler's Response;
 * - Cloud Scheduler's calls (X-CloudScheduler headers): `{ scheduledTime }`,
 *   answered 200, or 500 so the job records a failure;
 * - a binary-mode CloudEvent (Eventarc): the Pub/Sub message's data, or for
 *   a storage() trigger the neutral StorageEvent (triggers/storage-event.ts),
 *   answered 204, or 500 so Pub/Sub redelivers it;
 * - otherwise a direct invoke: 200 with the cloudfn envelope whatever the
 *   handler did, so errors look the same as on every other cloud.
 */
import { randomUUID } from 'node:crypto'
import { httpResultOf } from '../../src/runtime/http-envelope.ts'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'
import {
  type HttpRequestLike,
  header,
  isCloudEvent,
  pubsubPayload,
  rawBodyOf,
  scheduledTimeOf,
  wireRequestOf,
} from './shim-events.ts'
import { type StorageCloudEventLike, type StorageFilter, storageEventOf } from './triggers/storage-event.ts'
import { storedTrigger } from './triggers/stored.ts'

export type { HttpRequestLike } from './shim-events.ts'

export interface HttpResponseLike {
  status(code: number): HttpResponseLike
  setHeader(name: string, value: string | string[]): unknown
  end(body?: Uint8Array | string): unknown
}

type Callback = (error: Error | null, result?: unknown) => void

/** What the Functions Framework passes for a CloudEvent: context attributes and `data`. */
interface CloudEventLike extends StorageCloudEventLike {
  id?: string
}

/** The framework's own id, else GCP's execution or trace header, else a fresh one. */
function executionIdOf(req: HttpRequestLike): string {
  const trace = header(req, 'x-cloud-trace-context')?.split('/')[0]
  return req.executionId || header(req, 'function-execution-id') || trace || randomUUID()
}

const log = (message: string) => console.log(message)

function send(res: HttpResponseLike, status: number, headers: Array<[string, string]>, body: Uint8Array | string) {
  const grouped = new Map<string, string[]>()
  for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) ?? []), value])
  res.status(status)
  // setHeader with a list writes one line per value: repeated headers and cookies arrive as sent.
  for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? (values[0] as string) : values)
  res.end(body)
}

const isOk = (envelope: string) => (JSON.parse(envelope) as { ok: boolean }).ok

export function createEntry(definition: RunnableDefinition) {
  let coldStart = true
  const run = (payload: string, executionId: string) => {
    const timeoutSec = Number(process.env.CLOUDFN_TIMEOUT_SEC) || 3600
    const options = {
      executionId,
      coldStart,
      deadline: Date.now() + timeoutSec * 1000,
      // Cloud Run's K_SERVICE is the function ID (a 2nd-gen function's service bears its ID), which is the cloudfn
      // name: names are refused on GCP rather than mapped (names.ts).
      functionName: process.env.K_SERVICE,
      // Cloud Logging collects stdout and stderr; the line is written as is.
      log: (_level: string, message: string) => log(message),
    }
    coldStart = false
    return runDefinition(definition, payload, options)
  }

  /** The handler's input, or undefined for an event its trigger filters out (storage-event.ts). */
  const payloadOf = (event: CloudEventLike): string | undefined => {
    const trigger = definition.trigger
    if (trigger?.kind !== 'storage') return pubsubPayload(event.data)
    // The artifact holds only the trigger's kind (RuntimeTrigger); its events and filters are deploy
    // config, in the CLOUDFN_TRIGGER variable deploy sets (triggers/stored.ts).
    const deployed = storedTrigger(process.env as Record<string, string>)
    const neutral = storageEventOf(deployed?.kind === 'storage' ? deployed : (trigger as StorageFilter), event)
    return neutral && JSON.stringify(neutral)
  }

  const onCloudEvent = async (event: CloudEventLike, done: Callback) => {
    const payload = payloadOf(event)
    // Filtered out: acknowledged without running, so it is not redelivered.
    if (payload === undefined) return done(null)
    const envelope = await run(payload, event.id || randomUUID())
    // An error makes the framework answer 500, and Pub/Sub redeliver.
    done(isOk(envelope) ? null : new Error('The handler failed; the message will be redelivered'))
  }

  const onHttp = async (req: HttpRequestLike, res: HttpResponseLike) => {
    const executionId = executionIdOf(req)
    const trigger = definition.trigger
    if (trigger?.kind === 'http') {
      const wire = await wireRequestOf(req, trigger.auth === 'iam')
      const answer = httpResultOf(await run(JSON.stringify(wire), executionId), log)
      return send(res, answer.status, answer.headers, Buffer.from(answer.body, 'base64'))
    }
    const json: Array<[string, string]> = [['content-type', 'application/json; charset=utf-8']]
    const scheduledTime = scheduledTimeOf(req)
    if (scheduledTime !== undefined) {
      const envelope = await run(JSON.stringify({ scheduledTime }), executionId)
      return send(res, isOk(envelope) ? 200 : 500, json, envelope)
    }
    if (isCloudEvent(req)) {
      const payload = payloadOf({
        type: header(req, 'ce-type'),
        subject: header(req, 'ce-subject'),
        time: header(req, 'ce-time'),
        data: JSON.parse(Buffer.from(await rawBodyOf(req)).toString('utf8')),
      })
      if (payload === undefined) return send(res, 204, [], '')
      const envelope = await run(payload, executionId)
      return isOk(envelope) ? send(res, 204, [], '') : send(res, 500, json, envelope)
    }
    send(res, 200, json, await run(Buffer.from(await rawBodyOf(req)).toString('utf8'), executionId))
  }

  return (first: HttpRequestLike | CloudEventLike, second: HttpResponseLike | Callback): Promise<void> =>
    typeof second === 'function' ? onCloudEvent(first as CloudEventLike, second) : onHttp(first as HttpRequestLike, second)
}
