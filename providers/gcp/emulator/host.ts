/**
 * Worker side of an emulated Cloud Functions instance: loads the uploaded
 * code and calls its exported function the way the Functions Framework does
 * for the revision's signature type:
 * - `http`: Express-shaped `req` (rawHeaders, originalUrl, the body and
 *   rawBody as the framework's parsers leave them, see body-parsers.ts) and `res`
 *   (status, set/setHeader/append, send, json, end, sendStatus);
 * - `cloudevent`: the CloudEvent built from a binary-mode request (ce-*
 *   headers, the JSON body as `data`), called with a completion callback when
 *   the function takes two arguments; 204 on success, 500 on an error.
 */
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { workerData } from 'node:worker_threads'
import { serveSandbox } from '../../../src/sandbox/serve.ts'
import { type ParsedBody, parseFrameworkBody } from './body-parsers.ts'
import { isIgnoredRoute } from './ignored-routes.ts'
import type { HostReply, HostRequest } from './protocol.ts'

type UserFunction = (first: unknown, second: unknown) => unknown

const { entryFile, target, signatureType } = workerData as { entryFile: string; target: string; signatureType: string }
const loaded = (await import(pathToFileURL(entryFile).href)) as Record<string, unknown>
const fn = loaded[target]
if (typeof fn !== 'function') throw new Error(`Function '${target}' is not defined in the provided module.`)

/** Node's `req.headers`: lower-case names, repeats joined with ", " (set-cookie kept as a list). */
function headerObject(rawHeaders: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase()
    const value = rawHeaders[index + 1] as string
    const previous = headers[name]
    if (name === 'set-cookie') headers[name] = [...((previous as string[] | undefined) ?? []), value]
    else headers[name] = previous === undefined ? value : `${previous}, ${value}`
  }
  return headers
}

function bytesOf(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0)
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return Buffer.from(String(body), 'utf8')
}

function createResponse(resolve: (reply: HostReply) => void) {
  let status = 200
  const headers = new Map<string, string[]>()
  let finished = false
  const finish = (body: unknown) => {
    if (finished) return
    finished = true
    const pairs = [...headers].flatMap(([name, values]) => values.map((value): [string, string] => [name, value]))
    resolve({ status, headers: pairs, body: bytesOf(body).toString('base64') })
  }
  const res = {
    locals: {} as Record<string, unknown>,
    get headersSent() {
      return finished
    },
    get statusCode() {
      return status
    },
    status(code: number) {
      status = code
      return res
    },
    getHeader: (name: string) => headers.get(name.toLowerCase())?.join(', '),
    setHeader(name: string, value: string | readonly string[]) {
      headers.set(name.toLowerCase(), typeof value === 'string' ? [value] : [...value])
      return res
    },
    set: (name: string, value: string) => res.setHeader(name, String(value)),
    append(name: string, value: string | readonly string[]) {
      const key = name.toLowerCase()
      headers.set(key, [...(headers.get(key) ?? []), ...(typeof value === 'string' ? [value] : value)])
      return res
    },
    send(body?: unknown) {
      if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array)) return res.json(body)
      if (!headers.has('content-type'))
        res.setHeader('content-type', typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream')
      finish(body)
      return res
    },
    json(value: unknown) {
      if (!headers.has('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8')
      finish(JSON.stringify(value))
      return res
    },
    end(body?: unknown) {
      finish(body)
      return res
    },
    sendStatus(code: number) {
      status = code
      finish(code === 204 ? '' : String(code))
      return res
    },
  }
  return res
}

/** An Express request: a stream holding the bytes no parser read, with the framework's fields. */
function requestOf(request: HostRequest, headers: Record<string, string | string[]>, raw: Buffer, parsed: ParsedBody) {
  const header = (name: string) => {
    const value = headers[name.toLowerCase()]
    return Array.isArray(value) ? value.join(', ') : value
  }
  const executionId = header('function-execution-id') || Date.now().toString(36).slice(-6) + Math.random().toString(36).slice(-6)
  return Object.assign(Readable.from(parsed.rawBody === undefined && raw.length > 0 ? [raw] : []), {
    method: request.method,
    url: request.path,
    path: request.path.split('?')[0],
    originalUrl: request.path,
    headers,
    rawHeaders: request.rawHeaders,
    rawBody: parsed.rawBody,
    body: parsed.body,
    query: {},
    executionId,
    get: header,
    header,
  })
}

/** The framework's cloudevent wrapper: the event from the ce-* headers, the parsed body as its data. */
function callCloudEvent(user: UserFunction, req: ReturnType<typeof requestOf>, res: ReturnType<typeof createResponse>) {
  const event: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('ce-')) event[name.slice(3)] = value
  }
  event.data = req.body
  const done = (error: unknown, result?: unknown) => {
    if (res.headersSent) return
    if (error) {
      console.error(error)
      res.status(500).send('Internal Server Error')
    } else if (result === undefined || result === null) res.sendStatus(204)
    else res.send(typeof result === 'number' ? JSON.stringify(result) : result)
  }
  if (user.length > 1) return user(event, done)
  return Promise.resolve(user(event, undefined)).then(
    (result) => done(null, result),
    (error: unknown) => done(error ?? new Error('rejected')),
  )
}

function call(user: UserFunction, request: HostRequest): Promise<HostReply> {
  return new Promise<HostReply>((resolve) => {
    const res = createResponse(resolve)
    const raw = Buffer.from(request.body, 'base64')
    const headers = headerObject(request.rawHeaders)
    let parsed: ParsedBody
    try {
      parsed = parseFrameworkBody(headers, raw)
    } catch (error) {
      // Express's error page, as with NODE_ENV=production (the buildpack's): the handler never runs.
      console.error(error)
      const page =
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Bad Request</pre>\n</body>\n</html>\n'
      resolve({
        status: 400,
        headers: [['content-type', 'text/html; charset=utf-8']],
        body: Buffer.from(page).toString('base64'),
      })
      return
    }
    if (signatureType === 'http' && isIgnoredRoute(request.path.split('?')[0] ?? '/', process.env.IGNORED_ROUTES)) {
      // `res.status(404).send(null)`: an empty 404 without a content type.
      resolve({ status: 404, headers: [], body: '' })
      return
    }
    const req = requestOf(request, headers, raw, parsed)
    // The framework answers 500 when the function throws before answering.
    Promise.resolve()
      .then(() => (signatureType === 'cloudevent' ? callCloudEvent(user, req, res) : user(req, res)))
      .catch((error: unknown) => {
        console.error(error)
        if (!res.headersSent) res.status(500).send('Internal Server Error')
      })
  })
}

serveSandbox<HostRequest, HostReply>((request) => call(fn as UserFunction, request))
