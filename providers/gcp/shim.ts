/**
 * Runs in Cloud Functions (2nd gen) next to the user's code: the bundle's
 * `handler` export is this HTTP function, which the Functions Framework calls
 * with Express's (req, res). It answers 200 with the cloudfn envelope whatever
 * the handler did, so errors look the same as on every other cloud.
 * The framework is not imported: it is the runtime that imports this.
 */
import { randomUUID } from 'node:crypto'
import { type RunnableDefinition, runDefinition } from '../../src/runtime/run-definition.ts'

/** The parts of an Express request and response the shim touches. */
export interface HttpRequestLike {
  rawBody?: { toString(encoding: 'utf8'): string } | undefined
  body?: unknown
  executionId?: string | undefined
  headers: Record<string, string | string[] | undefined>
}

export interface HttpResponseLike {
  status(code: number): HttpResponseLike
  set(name: string, value: string): HttpResponseLike
  send(body: string): unknown
}

function header(req: HttpRequestLike, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The framework's own id, else GCP's execution or trace header, else a fresh one. */
function executionIdOf(req: HttpRequestLike): string {
  const trace = header(req, 'x-cloud-trace-context')?.split('/')[0]
  return req.executionId || header(req, 'function-execution-id') || trace || randomUUID()
}

function bodyText(req: HttpRequestLike): string {
  if (req.rawBody) return req.rawBody.toString('utf8')
  const { body } = req
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8')
  // Parsed JSON from a strict parser: an object or array, re-encoded.
  return JSON.stringify(body ?? null)
}

export function createEntry(definition: RunnableDefinition): (req: HttpRequestLike, res: HttpResponseLike) => Promise<void> {
  let coldStart = true
  return async (req, res) => {
    const timeoutSec = Number(process.env.CLOUDFN_TIMEOUT_SEC) || 3600
    const options = {
      executionId: executionIdOf(req),
      coldStart,
      deadline: Date.now() + timeoutSec * 1000,
      // Cloud Logging collects stdout and stderr; the line is written as is.
      log: (_level: string, message: string) => console.log(message),
    }
    coldStart = false
    const envelope = await runDefinition(definition, bodyText(req), options)
    res.status(200).set('content-type', 'application/json; charset=utf-8').send(envelope)
  }
}
