/**
 * The shim inside the real Functions Framework 5 (its Express server and body
 * parsers, as Cloud Functions runs them), over a loopback socket: what the
 * emulator models is checked against the framework itself here.
 */
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { web } from './__fixtures__/http-functions.ts'
import { parseFrameworkBody } from './emulator/body-parsers.ts'
import { isIgnoredRoute } from './emulator/ignored-routes.ts'
import { createEntry } from './shim.ts'

type Options = Record<string, unknown>
const require = createRequire(import.meta.url)
// The server and options modules are not in the package's exports: load them by path.
const build = dirname(require.resolve('@google-cloud/functions-framework'))
const { getServer } = require(join(build, 'server.js')) as { getServer(fn: unknown, options: Options): Server }
const { parseOptions } = require(join(build, 'options.js')) as {
  parseOptions(argv: string[], env: Record<string, string>): Options
}

type Req = AsyncIterable<Buffer> & { headers: Record<string, string | string[]>; rawBody?: Buffer; body?: unknown }

/** What the parsers left: rawBody, the kind of body, and the bytes still in the stream. */
async function probe(req: Req, res: { json(value: unknown): void }) {
  const unread: Buffer[] = []
  for await (const chunk of req) unread.push(chunk)
  const kind = req.body === undefined ? 'undefined' : Buffer.isBuffer(req.body) ? 'bytes' : typeof req.body
  res.json({
    headers: req.headers,
    rawBody: req.rawBody?.toString('base64') ?? null,
    kind,
    unread: Buffer.concat(unread).toString('base64'),
  })
}

const servers: Server[] = []
async function start(fn: unknown, env: Record<string, string> = {}): Promise<string> {
  const server = getServer(fn, parseOptions(['node', 'functions-framework'], { FUNCTION_TARGET: 'handler', ...env }))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

let base: string
let probeBase: string
beforeAll(async () => {
  base = await start(createEntry(web))
  probeBase = await start(probe)
})
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))))

const bodies: Array<[string, RequestInit]> = [
  ['no content type', { method: 'POST', body: Buffer.from('raw bytes') }],
  ['empty POST', { method: 'POST' }],
  ['DELETE', { method: 'DELETE' }],
  ['text', { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain' } }],
  ['empty text', { method: 'POST', body: '', headers: { 'content-type': 'text/plain' } }],
  ['html', { method: 'POST', body: '<p>', headers: { 'content-type': 'text/html' } }],
  ['json', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }],
  ['ld+json', { method: 'POST', body: '"x"', headers: { 'content-type': 'application/ld+json' } }],
  ['form', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ['bad type', { method: 'POST', body: 'x', headers: { 'content-type': 'nonsense' } }],
]

const described = async (path: string, init: RequestInit) => {
  const response = await fetch(base + path, init)
  return { status: response.status, ...((await response.json()) as { method: string; type: string | null; body: string }) }
}
const b64 = (text: string) => Buffer.from(text).toString('base64')

describe('gcp shim in the Functions Framework', () => {
  it.each(bodies)('leaves rawBody and body as the emulator models them: %s', async (_, init) => {
    const seen = (await (await fetch(probeBase, init)).json()) as {
      headers: Req['headers']
      rawBody: string | null
      kind: string
      unread: string
    }
    const raw = Buffer.from(seen.rawBody ?? seen.unread, 'base64')
    const model = parseFrameworkBody(seen.headers, raw)
    const kind = model.body === undefined ? 'undefined' : Buffer.isBuffer(model.body) ? 'bytes' : typeof model.body
    expect({ rawBody: model.rawBody?.toString('base64') ?? null, kind }).toEqual({ rawBody: seen.rawBody, kind: seen.kind })
  })

  it('passes the exact body even when no body parser reads it (no content type, empty, none)', async () => {
    expect(await described('/', { method: 'POST', body: Buffer.from('raw bytes') })).toMatchObject({
      status: 200,
      type: null,
      body: b64('raw bytes'),
    })
    expect(await described('/', { method: 'POST' })).toMatchObject({ status: 200, body: '' })
    expect(await described('/', { method: 'DELETE' })).toMatchObject({ status: 200, method: 'DELETE', body: '' })
    expect(await described('/', { method: 'POST', body: '"x"', headers: { 'content-type': 'text/plain' } })).toMatchObject({
      body: b64('"x"'),
    })
  })

  it.each([undefined, '', '/admin'])('ignores the routes the emulator models with IGNORED_ROUTES=%j', async (setting) => {
    const handled = await start(
      (_req: unknown, res: { send(text: string): void }) => res.send('ran'),
      setting === undefined ? {} : { IGNORED_ROUTES: setting },
    )
    for (const path of ['/', '/favicon.ico', '/robots.txt', '/admin', '/admin/x', '/administrator']) {
      const response = await fetch(handled + path)
      const ignored = response.status === 404 && (await response.text()) === ''
      expect([path, ignored]).toEqual([path, isIgnoredRoute(path, setting)])
    }
  })
})
