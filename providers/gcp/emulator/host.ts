/**
 * Worker side of an emulated Cloud Functions instance: loads the uploaded
 * code and calls its exported HTTP function the way the Functions Framework
 * does, with Express-shaped `req` and `res` (rawBody, the body parsed by
 * content type with the framework's strict JSON parser, headers,
 * executionId; `res.status().set().send()`, `json()`, `end()`).
 */
import { pathToFileURL } from 'node:url'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import type { HostReply, HostRequest } from './protocol.ts'

type HttpFunction = (req: unknown, res: unknown) => unknown

const { entryFile, target } = workerData as { entryFile: string; target: string }
const loaded = (await import(pathToFileURL(entryFile).href)) as Record<string, unknown>
const fn = loaded[target]
if (typeof fn !== 'function') throw new Error(`Function '${target}' is not defined in the provided module.`)

class BadRequest extends Error {}

function parseBody(contentType: string, raw: Buffer): unknown {
  if (raw.length === 0) return {}
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    const text = raw.toString('utf8')
    // body-parser's strict mode: only objects and arrays at the top level.
    if (!/^\s*[[{]/.test(text)) throw new BadRequest('Unexpected token in JSON (strict mode)')
    try {
      return JSON.parse(text)
    } catch (error) {
      throw new BadRequest(String(error))
    }
  }
  if (/^text\//i.test(contentType)) return raw.toString('utf8')
  return raw
}

function executionIdOf(headers: Record<string, string>): string {
  return headers['function-execution-id'] || Date.now().toString(36).slice(-6) + Math.random().toString(36).slice(-6)
}

function call(handler: HttpFunction, request: HostRequest): Promise<HostReply> {
  return new Promise<HostReply>((resolve) => {
    const reply: HostReply = { status: 200, headers: {}, body: '' }
    let finished = false
    const finish = (body: unknown) => {
      if (finished) return
      finished = true
      reply.body = typeof body === 'string' ? body : body === undefined ? '' : Buffer.from(body as Uint8Array).toString('utf8')
      resolve(reply)
    }
    const res = {
      get headersSent() {
        return finished
      },
      get statusCode() {
        return reply.status
      },
      status(code: number) {
        reply.status = code
        return res
      },
      set(name: string, value: string) {
        reply.headers[name.toLowerCase()] = String(value)
        return res
      },
      setHeader(name: string, value: string) {
        return res.set(name, value)
      },
      send(body?: unknown) {
        if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array)) return res.json(body)
        reply.headers['content-type'] ??= typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream'
        finish(body)
        return res
      },
      json(value: unknown) {
        reply.headers['content-type'] ??= 'application/json; charset=utf-8'
        finish(JSON.stringify(value))
        return res
      },
      end(body?: unknown) {
        finish(body)
        return res
      },
      sendStatus(code: number) {
        reply.status = code
        finish(String(code))
        return res
      },
    }
    const raw = Buffer.from(request.body, 'utf8')
    const headers = request.headers
    let body: unknown
    try {
      body = parseBody(headers['content-type'] ?? '', raw)
    } catch (error) {
      resolve({ status: 400, headers: { 'content-type': 'text/html' }, body: `Bad Request: ${(error as Error).message}` })
      return
    }
    const req = {
      method: request.method,
      url: request.path,
      path: request.path,
      originalUrl: request.path,
      headers,
      rawBody: raw,
      body,
      query: {},
      executionId: executionIdOf(headers),
      get: (name: string) => headers[name.toLowerCase()],
      header: (name: string) => headers[name.toLowerCase()],
    }
    // The framework answers 500 when the function throws before answering.
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        console.error(error)
        if (!finished) res.status(500).send('Internal Server Error')
      })
  })
}

serveSandbox<HostRequest, HostReply>((request) => call(fn as HttpFunction, request))
