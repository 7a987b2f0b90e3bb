import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { httpMirror } from '../../conformance/fixtures/functions.ts'
import { local } from './index.ts'

/**
 * The in-process fetch() against the loopback URL: for the same requests a
 * handler must see the same thing and the caller get the same answer, so
 * whichever way a test calls the fake, it sees what the network gives.
 */
describe('local fake: in-process fetch() answers as its URL does', () => {
  const cloud = local()
  afterAll(async () => {
    await cloud.triggers.close()
  })

  const requests: Array<[string, RequestInit]> = [
    ['/a%20b/%E2%9C%93?tag=1&tag=2&bare', {}],
    ['/post', { method: 'POST' }],
    ['/patch', { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'caf\u00e9' }],
    ['/bytes', { method: 'PUT', body: Uint8Array.from([0, 255, 0xc3, 0x28]) }],
    ['/cookie', { headers: { cookie: 'a=1;b=2', 'user-agent': 'mine' } }],
    ['/gzip', { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: gzipSync('zipped') }],
    ['/big-head', { headers: { 'x-big': 'h'.repeat(20_000) } }],
    ['/reply', { headers: { 'x-mirror-reply': JSON.stringify({ status: 204 }) } }],
    [
      '/reply-gzip',
      {
        headers: {
          'x-mirror-reply': JSON.stringify({
            headers: [['content-encoding', 'gzip']],
            bodyBase64: gzipSync('answer').toString('base64'),
          }),
        },
      },
    ],
  ]

  it.each(requests)('%s', async (path, init) => {
    const fn = await cloud.deploy(httpMirror, { name: 'mirror' })
    const seen = async (response: Response) => {
      const body = await response.text()
      const headers = [...response.headers].filter(
        ([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-mirror-received'].includes(name),
      )
      return { status: response.status, statusText: response.statusText, headers, body }
    }
    const inProcess = await seen(await fn.fetch(path, init))
    const network = await seen(await fetch(new URL(path.slice(1), fn.url), init))
    // The mirror reports the Host it saw: the same origin either way.
    expect(inProcess).toEqual(network)
  })
})
