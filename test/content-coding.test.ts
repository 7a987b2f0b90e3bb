import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { wireOfUrlEvent } from '../providers/aws/shim-events.ts'
import { networkAnswer, withNetworkHeaders } from '../providers/local/http-front.ts'
import { codingsOf, decodeContent, decodeRequestBody, fetchCanDecode } from '../src/content-coding.ts'

const text = Buffer.from('héllo, codings ✓')

describe('content codings', () => {
  it('undoes gzip, x-gzip, deflate (zlib or raw), br and stacked codings, last applied first', () => {
    for (const [header, bytes] of [
      ['gzip', gzipSync(text)],
      ['x-gzip', gzipSync(text)],
      ['deflate', deflateSync(text)],
      ['deflate', deflateRawSync(text)],
      ['br', brotliCompressSync(text)],
      ['gzip, br', brotliCompressSync(gzipSync(text))],
      ['identity', text],
    ] as const) {
      expect(Buffer.from(decodeContent(header, bytes) as Uint8Array).toString(), header).toBe(text.toString())
    }
    expect(codingsOf(' GZIP , identity ,br')).toEqual(['gzip', 'br'])
  })

  it('says when bytes are not in their declared coding, and leaves codings fetch does not decode alone', () => {
    expect(decodeContent('gzip', text)).toBeUndefined()
    expect(fetchCanDecode('gzip', text)).toBe(false)
    expect(fetchCanDecode('gzip', gzipSync(text))).toBe(true)
    expect(fetchCanDecode('zstd', text)).toBe(true)
    expect(fetchCanDecode('gzip', new Uint8Array())).toBe(true)
  })

  it('hands a handler the decoded request body without content-encoding and with its decoded length', () => {
    const zipped = gzipSync(text)
    const decoded = decodeRequestBody(
      [
        ['content-type', 'text/plain'],
        ['content-encoding', 'gzip'],
        ['content-length', String(zipped.byteLength)],
      ],
      zipped,
    )
    expect(Buffer.from(decoded.bytes).toString()).toBe(text.toString())
    expect(decoded.headers).toEqual([
      ['content-type', 'text/plain'],
      ['content-length', String(text.byteLength)],
    ])
    // Not in its coding (or already decoded by a front end): as it came.
    const plain = decodeRequestBody([['content-encoding', 'gzip']], text)
    expect(plain).toEqual({ headers: [['content-encoding', 'gzip']], bytes: text })
  })
})

describe('the local fake in-process fetch', () => {
  it('adds what a network fetch adds to the request, the caller winning', () => {
    const wire = withNetworkHeaders(
      {
        method: 'POST',
        url: 'http://127.0.0.1:1/x',
        headers: [['user-agent', 'mine']],
        body: Buffer.from('abc').toString('base64'),
      },
      true,
    )
    expect(Object.fromEntries(wire.headers)).toEqual({
      host: '127.0.0.1:1',
      connection: 'keep-alive',
      'user-agent': 'mine',
      accept: '*/*',
      'accept-language': '*',
      'sec-fetch-mode': 'cors',
      'accept-encoding': 'gzip, deflate',
      'content-length': '3',
    })
  })

  it('answers as a network fetch reads the answer: decoded, failing on a body not in its coding, rejecting a head over 16 KiB', async () => {
    const zipped = {
      status: 200,
      headers: [['content-encoding', 'gzip']] as Array<[string, string]>,
      body: gzipSync(text).toString('base64'),
    }
    const answer = networkAnswer(zipped, 'GET', 'OK')
    expect(answer.statusText).toBe('OK')
    expect(await answer.text()).toBe(text.toString())
    const broken = networkAnswer({ ...zipped, body: text.toString('base64') }, 'GET', 'OK')
    await expect(broken.arrayBuffer()).rejects.toThrow(TypeError)
    expect(() => networkAnswer({ status: 200, headers: [['x-big', 'b'.repeat(20_000)]], body: '' }, 'GET', 'OK')).toThrow(
      'fetch failed',
    )
  })
})

describe('aws shim: cookies', () => {
  const event = {
    version: '2.0' as const,
    rawPath: '/',
    rawQueryString: '',
    requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws', http: { method: 'GET' } },
    isBase64Encoded: false,
  }
  it('keeps the cookie header as sent when Lambda passes it beside the cookies list', () => {
    const wire = wireOfUrlEvent({ ...event, headers: { cookie: 'a=1;b=2' }, cookies: ['a=1', 'b=2'] }, false)
    expect(wire.headers).toEqual([['cookie', 'a=1;b=2']])
  })
  it('joins the cookies list as a browser sends it when there is no header', () => {
    expect(wireOfUrlEvent({ ...event, headers: {}, cookies: ['a=1', 'b=2'] }, false).headers).toEqual([['cookie', 'a=1; b=2']])
  })
})
