/**
 * The same requests to the Functions Framework's own server (its
 * `functions-framework` binary, build/src/main.js, serving the unpacked upload
 * in a process of its own, as in the container) and to the emulator's Cloud
 * Run URL for that function. The handler must see the same request and the
 * client get the same answer; the only differences allowed are those Cloud
 * Run's front end makes, each listed in IGNORED below and in docs/FIDELITY.md.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { http, passthrough } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { mirror, scheduled } from '../__fixtures__/mirror.ts'
import { queueRecorder } from '../__fixtures__/queue-recorder.ts'
import { startEmulated } from '../__fixtures__/setup.ts'
import { frameworkDir } from './framework.ts'

/** Request headers Cloud Run adds or rewrites; the host differs by construction. */
const ADDED_BY_CLOUD_RUN = new Set(['host', 'function-execution-id', 'x-cloud-trace-context', 'x-forwarded-proto'])
/**
 * Response headers of one connection (RFC 9110 §7.6.1) or one moment, not of the answer; the length
 * follows the body, which is compared (without the request headers Cloud Run adds, so shorter).
 */
const PER_CONNECTION = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'])

interface Case {
  fn: 'mirror' | 'echo' | 'queue' | 'scheduled'
  title: string
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
}

const text = { 'content-type': 'text/plain; charset=utf-8' }
const json = { 'content-type': 'application/json' }
const form = { 'content-type': 'application/x-www-form-urlencoded' }
const octets = { 'content-type': 'application/octet-stream' }
/** A POST to the mirror whose body of type `type` is sent with `Content-Encoding: coding`. */
const encoded = (title: string, type: Record<string, string>, coding: string, body: Case['body']): Case => ({
  fn: 'mirror',
  title,
  method: 'POST',
  headers: { ...type, 'content-encoding': coding },
  body,
})
const pubsubBody = (data: string) =>
  JSON.stringify({
    message: { data: Buffer.from(data).toString('base64'), messageId: '7', publishTime: '2026-01-01T00:00:00Z' },
    subscription: 'projects/p/subscriptions/s',
  })
const ce = {
  'ce-id': '7',
  'ce-source': '//pubsub.googleapis.com/projects/p/topics/t',
  'ce-specversion': '1.0',
  'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
  'ce-time': '2026-01-01T00:00:00Z',
}

const CASES: Case[] = [
  ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'].map(
    (method): Case => ({ fn: 'mirror', title: `${method} /`, method }),
  ),
  ...[
    '/a/b?x=1&x=2',
    '/favicon.ico',
    '/robots.txt',
    '/%E2%9C%93?q=%20',
    '/a//b/',
    '/?status=201',
    '/?status=404',
    '/?status=500',
    '/?status=204',
  ].map((path): Case => ({ fn: 'mirror', title: `GET ${path}`, path })),
  { fn: 'mirror', title: 'a 15 KiB URL', path: `/?q=${'y'.repeat(15 * 1024)}` },
  { fn: 'mirror', title: 'a 17 KiB URL', path: `/?q=${'y'.repeat(17 * 1024)}` },
  { fn: 'mirror', title: 'repeated headers and cookies', headers: { 'x-multi': 'one, two', cookie: 'a=1; b=2' } },
  { fn: 'mirror', title: 'text', method: 'POST', headers: text, body: 'héllo' },
  { fn: 'mirror', title: 'empty text', method: 'POST', headers: text, body: '' },
  { fn: 'mirror', title: 'JSON object', method: 'POST', headers: json, body: '{"a":[1,"é"]}' },
  { fn: 'mirror', title: 'JSON array', method: 'POST', headers: json, body: '[1,2]' },
  { fn: 'mirror', title: 'JSON string (strict parser)', method: 'POST', headers: json, body: '"x"' },
  { fn: 'mirror', title: 'JSON number (strict parser)', method: 'POST', headers: json, body: '42' },
  { fn: 'mirror', title: 'broken JSON', method: 'POST', headers: json, body: '{"a":' },
  { fn: 'mirror', title: 'empty JSON', method: 'POST', headers: json, body: '' },
  { fn: 'mirror', title: 'ld+json', method: 'POST', headers: { 'content-type': 'application/ld+json' }, body: '"x"' },
  {
    fn: 'mirror',
    title: 'cloudevents+json on an HTTP function',
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: '{"id":"1"}',
  },
  { fn: 'mirror', title: 'form', method: 'POST', headers: form, body: 'a=1&a=2&b[c]=3' },
  {
    fn: 'mirror',
    title: 'form of 1,001 fields',
    method: 'POST',
    headers: form,
    body: Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'),
  },
  { fn: 'mirror', title: 'form nested 40 deep', method: 'POST', headers: form, body: `a${'[b]'.repeat(40)}=1` },
  { fn: 'mirror', title: 'bytes', method: 'POST', headers: octets, body: Uint8Array.from({ length: 256 }, (_, i) => i) },
  { fn: 'mirror', title: 'bytes without a content type', method: 'POST', body: Uint8Array.from([0, 255, 1]) },
  { fn: 'mirror', title: 'an invalid content type', method: 'POST', headers: { 'content-type': 'nonsense' }, body: 'x' },
  { fn: 'mirror', title: 'html', method: 'POST', headers: { 'content-type': 'text/html' }, body: '<p>' },
  encoded('gzip text', text, 'gzip', gzipSync('zipped é')),
  encoded('gzip JSON', json, 'gzip', gzipSync('{"z":1}')),
  encoded('deflate text', text, 'deflate', deflateSync('deflated')),
  encoded('br text', text, 'br', brotliCompressSync('brotli')),
  encoded('gzip bytes', octets, 'gzip', gzipSync('raw')),
  encoded('identity coding', text, 'identity', 'plain'),
  encoded('unknown coding', text, 'snappy', 'x'),
  encoded('corrupt gzip', text, 'gzip', 'not gzip'),
  {
    fn: 'mirror',
    title: 'latin1 text',
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=iso-8859-1' },
    body: Uint8Array.from([0x68, 0xe9]),
  },
  {
    fn: 'mirror',
    title: 'utf-16 JSON (refused)',
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    body: '{}',
  },
  {
    fn: 'mirror',
    title: 'unknown charset',
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=klingon' },
    body: 'x',
  },
  {
    fn: 'mirror',
    title: 'a binary-mode CloudEvent on an HTTP function',
    method: 'POST',
    headers: { ...json, ...ce },
    body: pubsubBody('{"m":1}'),
  },
  {
    fn: 'mirror',
    title: 'Scheduler headers on an HTTP function',
    method: 'POST',
    headers: { 'x-cloudscheduler': 'true' },
    body: '',
  },
  ...['{"a":1}', '"str"', '42', 'null', '[]', '{"deep":{"x":[null,true]}}'].map(
    (body): Case => ({ fn: 'echo', title: `invoke ${body}`, method: 'POST', headers: text, body }),
  ),
  {
    fn: 'echo',
    title: 'invoke, gzip',
    method: 'POST',
    headers: { ...text, 'content-encoding': 'gzip' },
    body: gzipSync('{"g":1}'),
  },
  { fn: 'echo', title: 'invoke as JSON object', method: 'POST', headers: json, body: '{"j":1}' },
  { fn: 'echo', title: 'invoke as JSON string', method: 'POST', headers: json, body: '"j"' },
  {
    fn: 'echo',
    title: 'invoke, unknown charset',
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=x' },
    body: '1',
  },
  { fn: 'echo', title: 'invoke, bad JSON', method: 'POST', headers: text, body: '{' },
  { fn: 'echo', title: 'invoke, empty', method: 'POST', headers: text, body: '' },
  { fn: 'echo', title: 'invoke, GET', method: 'GET' },
  { fn: 'echo', title: 'invoke, /favicon.ico', path: '/favicon.ico', method: 'POST', headers: text, body: '1' },
  { fn: 'queue', title: 'binary CloudEvent', method: 'POST', headers: { ...json, ...ce }, body: pubsubBody('{"q":1}') },
  { fn: 'queue', title: 'binary CloudEvent, a string', method: 'POST', headers: { ...json, ...ce }, body: pubsubBody('"s"') },
  { fn: 'queue', title: 'binary CloudEvent, empty data', method: 'POST', headers: { ...json, ...ce }, body: pubsubBody('') },
  {
    fn: 'queue',
    title: 'binary CloudEvent, gzip',
    method: 'POST',
    headers: { ...json, ...ce, 'content-encoding': 'gzip' },
    body: gzipSync(pubsubBody('{"z":2}')),
  },
  {
    fn: 'queue',
    title: 'structured CloudEvent',
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      type: ce['ce-type'],
      source: ce['ce-source'],
      id: '8',
      data: JSON.parse(pubsubBody('{"st":1}')),
    }),
  },
  {
    fn: 'queue',
    title: 'a CloudEvent without ce-id',
    method: 'POST',
    headers: { ...json, 'ce-specversion': '1.0' },
    body: pubsubBody('1'),
  },
  {
    fn: 'queue',
    title: 'a legacy Pub/Sub push (no ce headers)',
    method: 'POST',
    headers: json,
    body: pubsubBody('{"legacy":1}'),
  },
  { fn: 'queue', title: 'GET on an event function', method: 'GET' },
  { fn: 'queue', title: 'PUT on an event function', method: 'PUT', headers: { ...json, ...ce }, body: pubsubBody('1') },
  { fn: 'queue', title: 'a failing message', method: 'POST', headers: { ...json, ...ce }, body: pubsubBody('{"fail":true}') },
  { fn: 'queue', title: 'broken JSON', method: 'POST', headers: { ...json, ...ce }, body: '{' },
  {
    fn: 'scheduled',
    title: 'a Scheduler call',
    method: 'POST',
    headers: {
      'x-cloudscheduler': 'true',
      'x-cloudscheduler-scheduletime': '2026-01-01T00:05:00Z',
      'user-agent': 'Google-Cloud-Scheduler',
    },
  },
  {
    fn: 'scheduled',
    title: 'a Scheduler call with a body',
    method: 'POST',
    headers: { ...json, 'x-cloudscheduler': 'true', 'x-cloudscheduler-scheduletime': '2026-01-01T00:10:00Z' },
    body: '{"x":1}',
  },
  { fn: 'scheduled', title: 'a direct invoke of a scheduled function', method: 'POST', headers: text, body: '{"d":1}' },
]

let env: Awaited<ReturnType<typeof startEmulated>>
const record = mkdtempSync(join(tmpdir(), 'cloudfn-gcp-diff-'))
const bare = new Map<Case['fn'], { port: number; child: ChildProcess }>()
const names: Record<Case['fn'], string> = { mirror: 'mirror', echo: 'echoes', queue: 'queued', scheduled: 'ticks' }

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Whether the port accepts connections, asked from another process: msw
 * intercepts this process's sockets.
 */
function accepts(port: number): boolean {
  const probe = `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`
  return spawnSync(process.execPath, ['-e', probe]).status === 0
}

async function listening(port: number, child: ChildProcess): Promise<void> {
  // A hang guard only: the framework starts in well under a second on an idle machine.
  for (let attempt = 0; attempt < 600 && child.exitCode === null; attempt++) {
    if (accepts(port)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the framework on port ${port} did not start`)
}

/** The framework's binary serving a revision's source with that revision's environment. */
async function startBare(fn: Case['fn']): Promise<void> {
  const revision = env.state.byShortName(names[fn])?.revision
  if (!revision) throw new Error(`${fn} is not deployed`)
  const port = await freePort()
  const child = spawn(process.execPath, [join(frameworkDir(), 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...revision.env, PORT: String(port), FUNCTION_SOURCE: revision.sourceDir },
    stdio: 'ignore',
  })
  bare.set(fn, { port, child })
  await listening(port, child)
}

beforeAll(async () => {
  // A manual clock: on the system clock Cloud Scheduler's own tick (every 5 minutes) could reach the
  // scheduled function before the cases do, and its first case would then not be a cold start.
  env = await startEmulated({ clock: createManualClock(0) })
  // The bare servers are on loopback: only they may be reached, and only from this test.
  env.server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()))
  const cloud = env.cloudWith()
  await cloud.deploy(mirror, { name: names.mirror })
  await cloud.deploy(echo, { name: names.echo })
  await cloud.deploy(withOverrides(queueRecorder, { env: { RECORD_DIR: record } }), { name: names.queue })
  await cloud.deploy(scheduled, { name: names.scheduled })
  for (const fn of Object.keys(names) as Array<Case['fn']>) await startBare(fn)
}, 120_000)

afterAll(async () => {
  for (const { child } of bare.values()) child.kill()
  await env.emulator.close()
  rmSync(record, { recursive: true, force: true })
})

interface Seen {
  status: number
  headers: Array<[string, string]>
  body: unknown
}

/** What the client got, without what differs by construction (see the sets above). */
async function seenOf(response: Response): Promise<Seen> {
  const headers = [...response.headers].filter(([name]) => !PER_CONNECTION.has(name))
  const bytes = Buffer.from(await response.arrayBuffer())
  let body: unknown = bytes.toString('base64')
  if (bytes.length > 0 && response.headers.get('content-type')?.startsWith('application/json')) {
    const parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
    // The mirror's view of the request: the headers Cloud Run adds are not the caller's.
    if (Array.isArray(parsed.headers)) {
      parsed.headers = (parsed.headers as Array<[string, string]>).filter(([name]) => !ADDED_BY_CLOUD_RUN.has(name))
    }
    // An envelope's execution id and duration are per execution.
    if (parsed.meta && typeof parsed.meta === 'object') parsed.meta = { ...parsed.meta, executionId: 'id', durationMs: 0 }
    body = parsed
  }
  return { status: response.status, headers, body }
}

async function send(base: string, entry: Case, authorization: string | undefined): Promise<Seen> {
  // Said explicitly: undici puts its own default on the wire, msw's interceptor another (br too).
  const headers = new Headers({ 'accept-encoding': 'gzip, deflate', ...entry.headers })
  if (authorization) headers.set('authorization', authorization)
  const method = entry.method ?? 'GET'
  return seenOf(await fetch(base + (entry.path ?? '/'), { method, headers, body: entry.body ?? null }))
}

describe('gcp emulator against the bare Functions Framework', () => {
  it(`answers ${CASES.length} requests as the framework's own server does`, async () => {
    const differences: Array<{ title: string; bare: Seen; emulated: Seen }> = []
    const statuses: Record<string, number> = {}
    for (const entry of CASES) {
      const uri = env.state.byShortName(names[entry.fn])?.resource.serviceConfig.uri as string
      // The mirror is public; the others need an ID token on Cloud Run, which the bare server ignores.
      const token = entry.fn === 'mirror' ? undefined : `Bearer ${await env.emulator.idTokenProvider(uri)}`
      const port = bare.get(entry.fn)?.port as number
      const expected = await send(`http://127.0.0.1:${port}`, entry, token)
      const emulated = await send(uri, entry, token)
      if (JSON.stringify(expected) !== JSON.stringify(emulated))
        differences.push({ title: entry.title, bare: expected, emulated })
      statuses[entry.title] = expected.status
    }
    expect(differences).toEqual([])
    // The cases reach what the framework does before the function: not only 200s.
    expect(statuses).toMatchObject({
      'a 17 KiB URL': 431,
      'unknown coding': 415,
      'unknown charset': 415,
      'form of 1,001 fields': 413,
      'form nested 40 deep': 400,
      'JSON string (strict parser)': 400,
      'GET on an event function': 500,
      'structured CloudEvent': 204,
      'GET /favicon.ico': 200,
    })
  }, 300_000)
})
