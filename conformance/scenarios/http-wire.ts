import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { withOverrides } from '../../src/define.ts'
import type { HttpLimits, ProviderCapabilities } from '../../src/provider.ts'
import { http } from '../../src/triggers/http.ts'
import { httpMirror, type MirrorReply, type MirrorSeen } from '../fixtures/functions.ts'
import type { Scenario } from '../scenario.ts'

/**
 * HTTP byte for byte: requests sent through `fn.fetch()` to a mirror
 * function, which answers what it received, so each case compares the
 * content that arrived with what was sent (and what came back with what the
 * handler answered). Every backend must give the same; where a cloud
 * cannot, the difference is a row of the README's per-backend table and the
 * target's `capabilities.triggers.http.limits` declares it, so the
 * expectation is read from the target, never from its name. All mismatches
 * of a scenario are reported together.
 */

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

interface Sent {
  method?: Method
  /** Path and query below the function's URL. */
  path?: string
  headers?: Array<[string, string]>
  body?: Uint8Array | string
}

interface Arrived {
  method?: Method
  path?: string
  query?: string
  /** Headers the caller set (besides the ones a network fetch adds), as `Headers` iterates them. */
  headers?: Array<[string, string]>
  body?: Uint8Array
}

interface RequestCase {
  what: string
  sent: Sent
  /** Defaults: the method, path, query, headers and body sent. */
  arrived?: Arrived
  /** A JSON body that is not an object or array: a platform that parses JSON strictly answers 400 (`jsonBodies`). */
  notStrictJson?: true
}

/** The defaults of `HttpLimits` (see its fields), for a target that declares none. */
function httpLimits(caps: Readonly<ProviderCapabilities>): Required<HttpLimits> {
  const limits = caps.triggers.http?.limits
  return {
    bodyCounting: limits?.bodyCounting ?? 'bytes',
    maxRequestHeadBytes: limits?.maxRequestHeadBytes === undefined ? 16 * 1024 : limits.maxRequestHeadBytes,
    jsonBodies: limits?.jsonBodies ?? 'raw',
  }
}

const bytes = (...values: number[]) => Uint8Array.from(values)
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'))
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, index) => index)

/**
 * What Node's `fetch` (undici) adds to a request when the caller did not
 * set it: the local fake's in-process `fetch()` presents the same, so a
 * handler sees one set of headers on every backend.
 */
function fetchDefaults(secure: boolean): Array<[string, string]> {
  return [
    ['accept', '*/*'],
    // Brotli only over TLS, as browsers do: the local fake's loopback URL is plain HTTP.
    ['accept-encoding', secure ? 'br, gzip, deflate' : 'gzip, deflate'],
    ['accept-language', '*'],
    ['sec-fetch-mode', 'cors'],
    ['user-agent', 'node'],
  ]
}

function bodyBytes(body: Uint8Array | string | undefined): Uint8Array | undefined {
  return typeof body === 'string' ? utf8(body) : body
}

/** The headers the mirror should report for `sent`: the caller's, the fetch defaults, content-length as fetch sets it. */
function expectedHeaders(sent: Sent, arrived: Arrived | undefined, secure: boolean): Array<[string, string]> {
  const headers = new Headers(arrived?.headers ?? sent.headers)
  const own = new Headers(sent.headers)
  for (const [name, value] of fetchDefaults(secure)) if (!own.has(name)) headers.set(name, value)
  const body = arrived?.body ?? bodyBytes(sent.body)
  const method = sent.method ?? 'GET'
  // A body's length, or 0 for a POST, PUT or PATCH without one (as Node's fetch sends them).
  if (sent.body !== undefined) headers.set('content-length', String(body?.byteLength ?? 0))
  else if (method === 'POST' || method === 'PUT' || method === 'PATCH') headers.set('content-length', '0')
  if (typeof sent.body === 'string' && !own.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8')
  return [...headers]
}

const gzipped = (text: string) => new Uint8Array(gzipSync(Buffer.from(text)))
const JSON_TEXT = JSON.stringify({ message: 'héllo', list: [1, 2, 3] })

/** Requests and what must reach the handler. */
const REQUEST_CASES: RequestCase[] = [
  // Methods.
  ...(['GET', 'DELETE', 'OPTIONS'] as const).map((method) => ({ what: `${method} without a body`, sent: { method } })),
  ...(['POST', 'PUT', 'PATCH'] as const).map((method) => ({ what: `${method} without a body`, sent: { method } })),
  ...(['POST', 'PUT', 'PATCH', 'DELETE'] as const).map((method) => ({
    what: `${method} with a body`,
    sent: { method, headers: [['content-type', 'text/plain']] as Array<[string, string]>, body: `a ${method} body` },
  })),
  // Paths, as sent (percent-encoding kept).
  { what: 'root path', sent: { path: '/' } },
  { what: 'nested path', sent: { path: '/a/b/c' } },
  { what: 'trailing slash', sent: { path: '/dir/' } },
  { what: 'encoded space', sent: { path: '/a%20b' } },
  { what: 'encoded unicode', sent: { path: '/%E2%9C%93/caf%C3%A9' } },
  { what: 'encoded slash', sent: { path: '/a%2Fb' } },
  { what: 'reserved characters', sent: { path: "/a+b/~c/d;e=1/f,g/h@i/j!k/l$m/n'o/p(q)/r*s" } },
  { what: 'a 1,000-character path', sent: { path: `/${'p'.repeat(999)}` } },
  // Query strings, as sent.
  { what: 'repeated query keys', sent: { path: '/q?tag=a&tag=b&tag=c' } },
  { what: 'empty query values and bare keys', sent: { path: '/q?a=&b&c=1' } },
  { what: 'query order kept', sent: { path: '/q?z=1&a=2&m=3&a=4' } },
  { what: 'encoded query', sent: { path: '/q?text=a%20b%2Bc&plus=a+b&amp=%26&eq=%3D' } },
  { what: 'unicode query', sent: { path: '/q?name=%E2%9C%93%F0%9F%9A%80' } },
  { what: 'query without a path', sent: { path: '?only=query' }, arrived: { path: '/', query: 'only=query' } },
  { what: 'fragment not sent', sent: { path: '/f?x=1#frag' }, arrived: { path: '/f', query: 'x=1' } },
  // Headers.
  {
    what: 'repeated header',
    sent: {
      headers: [
        ['x-multi', 'one'],
        ['x-multi', 'two'],
      ],
    },
  },
  {
    what: 'header three times, mixed case',
    sent: {
      headers: [
        ['X-Multi', 'one'],
        ['x-MULTI', 'two'],
        ['x-multi', 'three'],
      ],
    },
  },
  { what: 'value with commas and quotes', sent: { headers: [['x-list', 'a, "b, c", d']] } },
  { what: 'value with inner spaces', sent: { headers: [['x-spaced', 'a  b   c']] } },
  {
    what: 'caller user-agent and accept',
    sent: {
      headers: [
        ['user-agent', 'my-agent/1.0'],
        ['accept', 'application/json'],
      ],
    },
  },
  { what: 'authorization of the caller (public function)', sent: { headers: [['authorization', 'Bearer caller-token']] } },
  { what: 'custom content-type without body', sent: { headers: [['content-type', 'application/json']] } },
  {
    what: '40 distinct headers',
    sent: { headers: Array.from({ length: 40 }, (_, i) => [`x-h${i}`, `v${i}`] as [string, string]) },
  },
  // Cookies arrive as sent.
  { what: 'cookie without spaces', sent: { headers: [['cookie', 'a=1;b=2']] } },
  { what: 'cookie with spaces', sent: { headers: [['cookie', 'a=1; b=2; c=3']] } },
  { what: 'cookie with = in its value', sent: { headers: [['cookie', 'token=abc==; x=y=z']] } },
  { what: 'single cookie', sent: { headers: [['cookie', 'session=s3cr3t']] } },
  { what: 'cookie with odd spacing', sent: { headers: [['cookie', 'a=1 ;  b=2']] } },
  // Bodies, byte for byte.
  { what: 'binary body', sent: { method: 'POST', headers: [['content-type', 'application/octet-stream']], body: ALL_BYTES } },
  { what: 'binary body without content type', sent: { method: 'POST', body: ALL_BYTES } },
  {
    what: 'non-UTF-8 text/plain body',
    sent: { method: 'POST', headers: [['content-type', 'text/plain']], body: bytes(0x63, 0x61, 0x66, 0xe9, 0xff, 0xc3, 0x28) },
  },
  {
    what: 'all bytes as application/json',
    sent: { method: 'POST', headers: [['content-type', 'application/json']], body: ALL_BYTES },
    notStrictJson: true,
  },
  {
    what: 'latin-1 text with its charset',
    sent: {
      method: 'PUT',
      headers: [['content-type', 'text/plain; charset=iso-8859-1']],
      body: bytes(0x68, 0xe9, 0x6c, 0x6c, 0xf6),
    },
  },
  { what: 'UTF-8 text', sent: { method: 'POST', headers: [['content-type', 'text/plain; charset=utf-8']], body: 'héllo ✓ 🚀' } },
  { what: 'JSON', sent: { method: 'POST', headers: [['content-type', 'application/json']], body: JSON_TEXT } },
  {
    what: 'JSON that is not an object',
    sent: { method: 'POST', headers: [['content-type', 'application/json']], body: '"just a string"' },
    notStrictJson: true,
  },
  {
    what: 'invalid JSON',
    sent: { method: 'POST', headers: [['content-type', 'application/json']], body: '{not json' },
    notStrictJson: true,
  },
  {
    what: 'form',
    sent: { method: 'POST', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'a=1&b=%C3%A9&a=2' },
  },
  {
    what: 'multipart',
    sent: {
      method: 'POST',
      headers: [['content-type', 'multipart/form-data; boundary=XyZ']],
      body: '--XyZ\r\ncontent-disposition: form-data; name="f"\r\n\r\nvalue\r\n--XyZ--\r\n',
    },
  },
  { what: 'text body only CRLF', sent: { method: 'POST', headers: [['content-type', 'text/plain']], body: '\r\n' } },
  { what: 'empty body with a content type', sent: { method: 'POST', headers: [['content-type', 'text/plain']], body: '' } },
  { what: 'empty binary body', sent: { method: 'PUT', body: new Uint8Array() } },
  { what: '1 MiB binary body', sent: { method: 'POST', body: new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 256) } },
  // Content codings: the handler gets the bytes decoded, without the coding header.
  {
    what: 'gzip text body',
    sent: {
      method: 'POST',
      headers: [
        ['content-type', 'text/plain'],
        ['content-encoding', 'gzip'],
      ],
      body: gzipped(JSON_TEXT),
    },
    arrived: { headers: [['content-type', 'text/plain']], body: utf8(JSON_TEXT) },
  },
  {
    what: 'gzip binary body',
    sent: { method: 'POST', headers: [['content-encoding', 'gzip']], body: new Uint8Array(gzipSync(ALL_BYTES)) },
    arrived: { headers: [], body: ALL_BYTES },
  },
  {
    what: 'deflate body',
    sent: {
      method: 'POST',
      headers: [
        ['content-type', 'text/plain'],
        ['content-encoding', 'deflate'],
      ],
      body: new Uint8Array(deflateSync('deflated text')),
    },
    arrived: { headers: [['content-type', 'text/plain']], body: utf8('deflated text') },
  },
  {
    what: 'brotli body',
    sent: {
      method: 'POST',
      headers: [
        ['content-type', 'text/plain'],
        ['content-encoding', 'br'],
      ],
      body: new Uint8Array(brotliCompressSync('brotli text')),
    },
    arrived: { headers: [['content-type', 'text/plain']], body: utf8('brotli text') },
  },
  {
    what: 'identity coding',
    sent: {
      method: 'POST',
      headers: [
        ['content-type', 'text/plain'],
        ['content-encoding', 'identity'],
      ],
      body: 'plain',
    },
  },
]

async function checkRequest(
  fetch: Fetch,
  secure: boolean,
  limits: Required<HttpLimits>,
  entry: RequestCase,
): Promise<string | undefined> {
  const { sent, arrived } = entry
  const method = sent.method ?? 'GET'
  const target = sent.path ?? '/'
  const response = await fetch(target, { method, headers: sent.headers, body: sent.body })
  if (entry.notStrictJson && limits.jsonBodies === 'strict') {
    await response.arrayBuffer()
    return response.status === 400
      ? undefined
      : `${entry.what}: status ${response.status} (expected 400: jsonBodies 'strict', the platform refuses it before the function runs)`
  }
  if (response.status !== 200) return `${entry.what}: status ${response.status} (${(await response.text()).slice(0, 200)})`
  if (method === 'HEAD') return undefined
  const seen = (await response.json()) as MirrorSeen
  const url = new URL(target, 'https://fn.example/')
  const expected: MirrorSeen = {
    method: arrived?.method ?? method,
    path: arrived?.path ?? url.pathname,
    query: arrived?.query ?? url.search.slice(1),
    headers: expectedHeaders(sent, arrived, secure),
    bodyBase64: Buffer.from(arrived?.body ?? bodyBytes(sent.body) ?? new Uint8Array()).toString('base64'),
  }
  const differs = (Object.keys(expected) as Array<keyof MirrorSeen>).filter(
    (key) => JSON.stringify(seen[key]) !== JSON.stringify(expected[key]),
  )
  if (differs.length === 0) return undefined
  return `${entry.what}: ${differs
    .map((key) =>
      key === 'bodyBase64'
        ? `body ${Buffer.from(seen.bodyBase64, 'base64').byteLength} bytes ${seen.bodyBase64.slice(0, 40)}… (expected ${expected.bodyBase64.slice(0, 40)}…)`
        : `${key} ${JSON.stringify(seen[key]).slice(0, 300)} (expected ${JSON.stringify(expected[key]).slice(0, 300)})`,
    )
    .join('; ')}`
}

type Fetch = (path: string, init: RequestInit) => Promise<Response>

interface ResponseCase {
  what: string
  reply: MirrorReply
  method?: Method
  /** What the caller gets. */
  status: number
  /** Headers that must be there with these values, or absent (null). */
  headers?: Record<string, string | null>
  setCookies?: string[]
  /** The body read back; `null` for none. */
  body?: Uint8Array | null
  /** The body read fails (it must fail, never hang); the fetch itself may fail instead. */
  bodyFails?: true
}

const plain = (text: string) => Buffer.from(text).toString('base64')

/** Answers and what the caller receives. */
const RESPONSE_CASES: ResponseCase[] = [
  ...[200, 201, 202, 400, 404, 409, 418, 500, 503].map((status) => ({
    what: `status ${status} with a text body`,
    reply: { status, headers: [['content-type', 'text/plain']] as Array<[string, string]>, bodyBase64: plain(`s${status}`) },
    status,
    headers: { 'content-type': 'text/plain' },
    body: utf8(`s${status}`),
  })),
  {
    what: 'empty 204 gets no content type',
    reply: { status: 204, headers: [] },
    status: 204,
    headers: { 'content-type': null },
    body: null,
  },
  {
    what: 'empty 304 gets no content type',
    reply: { status: 304, headers: [['etag', '"v1"']] },
    status: 304,
    headers: { 'content-type': null, etag: '"v1"' },
    body: null,
  },
  {
    what: 'redirect without a body gets no content type',
    reply: { status: 302, headers: [['location', '/elsewhere']], bodyBase64: '' },
    status: 302,
    headers: { 'content-type': null, location: '/elsewhere' },
    body: new Uint8Array(),
  },
  {
    what: '200 with an empty body gets no content type',
    reply: { status: 200, headers: [], bodyBase64: '' },
    status: 200,
    headers: { 'content-type': null },
    body: new Uint8Array(),
  },
  {
    what: 'repeated response header',
    reply: {
      headers: [
        ['x-r', 'one'],
        ['x-r', 'two'],
        ['content-type', 'text/plain'],
      ],
      bodyBase64: plain('r'),
    },
    status: 200,
    headers: { 'x-r': 'one, two' },
    body: utf8('r'),
  },
  {
    what: 'cookies set one per line, attributes kept',
    reply: {
      headers: [
        ['set-cookie', 'a=1; Path=/; HttpOnly'],
        ['set-cookie', 'b=x,y; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure; SameSite=Lax'],
        ['set-cookie', 'c=%20; Partitioned; Priority=High'],
        ['content-type', 'text/plain'],
      ],
      bodyBase64: plain('c'),
    },
    status: 200,
    setCookies: [
      'a=1; Path=/; HttpOnly',
      'b=x,y; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure; SameSite=Lax',
      'c=%20; Partitioned; Priority=High',
    ],
    body: utf8('c'),
  },
  {
    what: 'non-UTF-8 text response',
    reply: {
      headers: [['content-type', 'text/plain; charset=iso-8859-1']],
      bodyBase64: Buffer.from([0x68, 0xe9, 0xff]).toString('base64'),
    },
    status: 200,
    body: bytes(0x68, 0xe9, 0xff),
  },
  {
    what: 'binary response',
    reply: { headers: [['content-type', 'application/octet-stream']], bodyBase64: Buffer.from(ALL_BYTES).toString('base64') },
    status: 200,
    body: ALL_BYTES,
  },
  {
    what: "the handler's content-length is kept",
    reply: {
      headers: [
        ['content-type', 'text/plain'],
        ['content-length', '5'],
      ],
      bodyBase64: plain('hello'),
    },
    status: 200,
    headers: { 'content-length': '5' },
    body: utf8('hello'),
  },
  {
    what: 'gzip response is decoded for the caller',
    reply: {
      headers: [
        ['content-type', 'text/plain'],
        ['content-encoding', 'gzip'],
      ],
      bodyBase64: Buffer.from(gzipped('zipped answer')).toString('base64'),
    },
    status: 200,
    headers: { 'content-encoding': 'gzip' },
    body: utf8('zipped answer'),
  },
  {
    what: 'a response claiming gzip that is not gzip fails to read, never hangs',
    reply: {
      headers: [
        ['content-type', 'text/plain'],
        ['content-encoding', 'gzip'],
      ],
      bodyBase64: plain('not gzip at all'),
    },
    status: 200,
    bodyFails: true,
  },
  {
    what: 'an 8 KB response header',
    reply: {
      headers: [
        ['content-type', 'text/plain'],
        ['x-big', 'b'.repeat(8 * 1024)],
      ],
      bodyBase64: plain('big'),
    },
    status: 200,
    headers: { 'x-big': 'b'.repeat(8 * 1024) },
    body: utf8('big'),
  },
  {
    what: 'HEAD gets the headers without a body',
    method: 'HEAD',
    reply: {
      headers: [
        ['content-type', 'text/plain'],
        ['x-head', 'yes'],
      ],
      bodyBase64: plain('not sent'),
    },
    status: 200,
    headers: { 'x-head': 'yes' },
    body: new Uint8Array(),
  },
]

/** Reading a body that can fail; a hang guard turns a stuck read into a mismatch instead of a test timeout. */
async function readBody(response: Response): Promise<{ bytes?: Uint8Array; error?: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const guard = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ error: 'the body read hung for 20 s' }), 20_000)
  })
  try {
    return await Promise.race([
      response.arrayBuffer().then(
        (buffer) => ({ bytes: new Uint8Array(buffer) }),
        (error: unknown) => ({ error: `rejected: ${String(error)}` }),
      ),
      guard,
    ])
  } finally {
    clearTimeout(timer)
  }
}

async function checkResponse(fetch: Fetch, entry: ResponseCase): Promise<string | undefined> {
  let response: Response
  try {
    response = await fetch('/reply', {
      method: entry.method ?? 'GET',
      headers: [['x-mirror-reply', JSON.stringify(entry.reply)]],
    })
  } catch (error) {
    return entry.bodyFails ? undefined : `${entry.what}: fetch rejected (${String(error)})`
  }
  const problems: string[] = []
  if (response.status !== entry.status) problems.push(`status ${response.status} (expected ${entry.status})`)
  // The reason phrase a network fetch reads from the status line: Node's server writes the standard one.
  const { STATUS_CODES } = await import('node:http')
  if (response.statusText !== STATUS_CODES[response.status]) {
    problems.push(
      `status text ${JSON.stringify(response.statusText)} (expected ${JSON.stringify(STATUS_CODES[response.status])})`,
    )
  }
  for (const [name, value] of Object.entries(entry.headers ?? {})) {
    const got = response.headers.get(name)
    if (got !== value)
      problems.push(`${name} ${JSON.stringify(got?.slice(0, 80))} (expected ${JSON.stringify(value?.slice(0, 80))})`)
  }
  if (entry.setCookies && JSON.stringify(response.headers.getSetCookie()) !== JSON.stringify(entry.setCookies)) {
    problems.push(`set-cookie ${JSON.stringify(response.headers.getSetCookie())} (expected ${JSON.stringify(entry.setCookies)})`)
  }
  if (entry.body === null && response.body !== null) problems.push('a body where none may be')
  const read = await readBody(response)
  if (entry.bodyFails) {
    if (!read.error?.startsWith('rejected')) problems.push(`body read ${read.error ?? 'succeeded'} (expected it to fail)`)
  } else if (read.error) {
    problems.push(`body ${read.error}`)
  } else if (entry.body && Buffer.compare(Buffer.from(read.bytes ?? []), Buffer.from(entry.body)) !== 0) {
    problems.push(
      `body ${Buffer.from(read.bytes ?? [])
        .toString('base64')
        .slice(0, 60)} (expected ${Buffer.from(entry.body).toString('base64').slice(0, 60)})`,
    )
  }
  return problems.length === 0 ? undefined : `${entry.what}: ${problems.join('; ')}`
}

interface LimitCase {
  what: string
  init: RequestInit
  /** The status, or 'fetch fails' where the caller's fetch rejects (as Node's does on a head over its limit). */
  outcome: number | 'fetch fails'
  /** For a 200: the body bytes the handler must have received. */
  received?: Uint8Array
  reason?: string
}

const KB = 1024
const MB = 1024 * 1024
const ok = { bodyBase64: plain('ok') }
const replyOk: Array<[string, string]> = [['x-mirror-reply', JSON.stringify(ok)]]

/**
 * Limits per backend (README, "The clouds"), as the target's
 * `capabilities.triggers.http.limits` and `maxRequestBytes` declare them: a
 * body counted in an event travels as base64 when binary (so about 3/4 of
 * the limit fits) and as a string when UTF-8 text; a body counted as bytes
 * fits up to the limit. A request head over `maxRequestHeadBytes` gets 431;
 * an answer head over Node's 16 KiB fails the caller's own fetch.
 */
function headCases(limits: Required<HttpLimits>): LimitCase[] {
  const head = limits.maxRequestHeadBytes
  const bigHead = 20 * KB
  return [
    { what: 'an 8 KB request header', init: { headers: [...replyOk, ['x-big', 'h'.repeat(8 * KB)]] }, outcome: 200 },
    {
      what: 'a 20 KB request header',
      init: { headers: [...replyOk, ['x-big', 'h'.repeat(bigHead)]] },
      ...(head === null || head > bigHead + KB
        ? { outcome: 200, reason: `the target's maxRequestHeadBytes is ${head ?? 'none (no head limit below the body limit)'}` }
        : { outcome: 431 }),
    },
    {
      what: 'an 8 KB response header',
      init: { headers: [['x-mirror-reply', JSON.stringify({ ...ok, bigHeader: 8 * KB })]] },
      outcome: 200,
    },
    {
      what: 'a 20 KB response header',
      init: { headers: [['x-mirror-reply', JSON.stringify({ ...ok, bigHeader: 20 * KB })]] },
      outcome: 'fetch fails',
    },
    { what: 'an empty POST', init: { method: 'POST', headers: replyOk }, outcome: 200, received: new Uint8Array() },
  ]
}

const pattern = (size: number) => new Uint8Array(size).map((_, i) => (i * 31) % 251)

/** Whole-MB binary bodies whose base64 is just under and just over `limit` (4 and 5 MB for 6 MB). */
function base64Sizes(limit: number): { under: number; over: number } {
  const raw = (limit * 3) / 4 / MB
  return { under: (Math.ceil(raw) - 1) * MB, over: (Math.floor(raw) + 1) * MB }
}

/** Body cases, made one at a time (a 100 MB limit makes 100 MB bodies). */
function* bodyCases(caps: Readonly<ProviderCapabilities>, limits: Required<HttpLimits>): Generator<LimitCase> {
  const limit = caps.maxRequestBytes
  if (limits.bodyCounting === 'event') {
    const sizes = base64Sizes(limit)
    const binaryFits = pattern(sizes.under)
    const textFits = 'x'.repeat(limit - 64 * KB)
    const answer = base64Sizes(caps.maxResponseBytes).over
    yield {
      what: `${sizes.under / MB} MB binary body (base64 in the event: under ${limit / MB} MB)`,
      init: { method: 'POST', headers: replyOk, body: binaryFits },
      outcome: 200,
      received: binaryFits,
    }
    yield {
      what: `text body 64 KB under ${limit / MB} MB`,
      init: { method: 'POST', headers: [...replyOk, ['content-type', 'text/plain']], body: textFits },
      outcome: 200,
      received: utf8(textFits),
    }
    yield {
      what: `${sizes.over / MB} MB binary body (base64 in the event: over ${limit / MB} MB)`,
      init: { method: 'POST', headers: replyOk, body: pattern(sizes.over) },
      outcome: 413,
    }
    yield {
      what: `text body 1 byte over ${limit / MB} MB`,
      init: { method: 'POST', headers: [...replyOk, ['content-type', 'text/plain']], body: 'x'.repeat(limit + 1) },
      outcome: 413,
    }
    yield {
      what: `a ${answer / MB} MB answer (base64 over ${Math.round(caps.maxResponseBytes / MB)} MB)`,
      init: { headers: [['x-mirror-reply', JSON.stringify({ bodyBytes: answer })]] },
      outcome: 502,
    }
    return
  }
  const fits = pattern(limit - 64 * KB)
  yield {
    what: `a body 64 KB under ${limit / MB} MiB`,
    init: { method: 'POST', headers: replyOk, body: fits },
    outcome: 200,
    received: fits,
  }
  yield {
    what: `a body 1 byte over ${limit / MB} MiB`,
    init: { method: 'POST', headers: replyOk, body: pattern(limit + 1) },
    outcome: 413,
  }
}

async function checkLimit(fetch: Fetch, entry: LimitCase): Promise<string | undefined> {
  let response: Response
  try {
    response = await fetch('/limit', entry.init)
  } catch (error) {
    if (entry.outcome === 'fetch fails') return undefined
    return `${entry.what}: fetch rejected (${String(error)}), expected ${entry.outcome}`
  }
  const read = await readBody(response)
  const why = entry.reason ? ` (${entry.reason})` : ''
  if (response.status !== entry.outcome) return `${entry.what}: status ${response.status}, expected ${entry.outcome}${why}`
  if (read.error) return `${entry.what}: body ${read.error}`
  if (entry.received) {
    const { createHash } = await import('node:crypto')
    const expected = `${entry.received.byteLength}:${createHash('sha256').update(entry.received).digest('hex')}`
    const got = response.headers.get('x-mirror-received')
    if (got !== expected) return `${entry.what}: the handler received ${got} (expected ${expected})`
  }
  return undefined
}

const needsPublicHttp = (caps: Readonly<ProviderCapabilities>) => {
  if (!caps.triggers.http) return 'this target offers no HTTP trigger'
  return undefined
}

/** The mirror, public where the target allows it, else with the first auth it offers (fetch() supplies it). */
function mirrorFor(caps: Readonly<ProviderCapabilities>): typeof httpMirror {
  const auth = caps.triggers.http?.auth ?? []
  if (auth.includes('public')) return httpMirror
  return withOverrides(httpMirror, { trigger: http({ auth: auth[0] }) }) as typeof httpMirror
}

function fail(problems: string[], total: number): void {
  if (problems.length > 0) throw new Error(`${problems.length} of ${total} cases differ:\n- ${problems.join('\n- ')}`)
}

export const httpWire: Scenario[] = [
  {
    id: 'http-wire-requests',
    title: `what the handler receives is what was sent: ${REQUEST_CASES.length} requests (methods, paths, queries, headers, cookies, bodies, content codings)`,
    requires: needsPublicHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(mirrorFor(capabilities), { name: name('mirror') })
      const problems: string[] = []
      for (const entry of REQUEST_CASES) {
        const problem = await checkRequest(
          (path, init) => fn.fetch(path, init),
          fn.url?.startsWith('https:') ?? false,
          httpLimits(capabilities),
          entry,
        )
        if (problem) problems.push(problem)
      }
      await fn.remove()
      fail(problems, REQUEST_CASES.length)
    },
  },
  {
    id: 'http-wire-head-limits',
    title: 'request and answer heads under and over 16 KiB: what fits arrives whole, what does not gets 431 or fails the fetch',
    requires: needsPublicHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(mirrorFor(capabilities), { name: name('mirror') })
      const cases = headCases(httpLimits(capabilities))
      const problems: string[] = []
      for (const entry of cases) {
        const problem = await checkLimit((path, init) => fn.fetch(path, init), entry)
        if (problem) problems.push(problem)
      }
      await fn.remove()
      fail(problems, cases.length)
    },
  },
  {
    id: 'http-wire-body-limits',
    title: "bodies at and over each backend's size limit: what fits arrives whole, what does not gets the limit's status",
    requires: needsPublicHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(mirrorFor(capabilities), { name: name('mirror') })
      const problems: string[] = []
      let total = 0
      for (const entry of bodyCases(capabilities, httpLimits(capabilities))) {
        total++
        const problem = await checkLimit((path, init) => fn.fetch(path, init), entry)
        if (problem) problems.push(problem)
      }
      await fn.remove()
      fail(problems, total)
    },
  },
  {
    id: 'http-wire-responses',
    title: `what the caller receives is what the handler answered: ${RESPONSE_CASES.length} responses (statuses, empty bodies, cookies, codings, sizes)`,
    requires: needsPublicHttp,
    async run({ cloud, name, capabilities }) {
      const fn = await cloud.deploy(mirrorFor(capabilities), { name: name('mirror') })
      const problems: string[] = []
      for (const entry of RESPONSE_CASES) {
        const problem = await checkResponse((path, init) => fn.fetch(path, init), entry)
        if (problem) problems.push(problem)
      }
      await fn.remove()
      fail(problems, RESPONSE_CASES.length)
    },
  },
]
