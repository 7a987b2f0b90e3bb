import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Envelope } from '../src/runtime/envelope.ts'
import { httpResultOf } from '../src/runtime/http-envelope.ts'
import { requestToWire, responseToWire, type WireResponse, wireToRequest, wireToResponse } from '../src/runtime/http-wire.ts'
import { runDefinition } from '../src/runtime/run-definition.ts'

const options = { executionId: 'e1', coldStart: false, deadline: Date.now() + 60_000, log: () => {} }

describe('http wire codec', () => {
  it('round-trips any body bytes, repeated headers and cookies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        fc.array(fc.stringMatching(/^[a-z0-9=;]{1,12}$/), { maxLength: 3 }),
        async (bytes, cookies) => {
          const headers = new Headers([
            ['x-a', '1'],
            ['x-a', '2'],
          ])
          for (const cookie of cookies) headers.append('set-cookie', cookie)
          const request = wireToRequest(
            await requestToWire(new Request('https://fn.example/p?q=1&q=2', { method: 'POST', headers, body: bytes })),
          )
          expect(new Uint8Array(await request.arrayBuffer())).toEqual(bytes)
          expect(request.headers.get('x-a')).toBe('1, 2')
          const response = wireToResponse(await responseToWire(new Response(bytes, { status: 207, headers })))
          expect(response.status).toBe(207)
          expect(response.headers.getSetCookie()).toEqual(cookies)
          expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('drops bodies of GET and of null-body statuses', async () => {
    const wire = await requestToWire(new Request('https://fn.example/', { method: 'GET' }))
    expect(wire.body).toBeUndefined()
    expect(wireToResponse({ status: 204, headers: [], body: '' }).body).toBeNull()
  })
})

describe('runDefinition for HTTP functions', () => {
  const wire = async (request: Request) => JSON.stringify(await requestToWire(request))
  const responseOf = (envelope: string) => (JSON.parse(envelope) as Envelope & { ok: true }).value as WireResponse

  it("passes a Request to the handler and its Response back as the envelope's value", async () => {
    const definition = {
      name: 'web',
      trigger: { kind: 'http', methods: ['POST'] },
      handler: async (request: Request) => new Response(`${request.method} ${await request.text()}`, { status: 202 }),
    }
    const result = responseOf(
      await runDefinition(definition as never, await wire(new Request('https://x/', { method: 'POST', body: 'hi' })), options),
    )
    expect(result.status).toBe(202)
    expect(Buffer.from(result.body, 'base64').toString()).toBe('POST hi')
  })

  it('labels an unlabelled body as octet-stream, so no platform labels it its own way', async () => {
    const run = async (response: Response) => {
      const definition = { name: 'web', trigger: { kind: 'http' }, handler: () => response }
      return responseOf(await runDefinition(definition as never, await wire(new Request('https://x/')), options)).headers
    }
    expect(await run(new Response(Uint8Array.from([1, 2])))).toContainEqual(['content-type', 'application/octet-stream'])
    expect(await run(new Response('text'))).toContainEqual(['content-type', 'text/plain;charset=UTF-8'])
    expect(await run(new Response(null, { status: 204 }))).toEqual([])
  })

  it('answers 405 with Allow for an unlisted method, without running the handler', async () => {
    let ran = false
    const definition = {
      name: 'web',
      trigger: { kind: 'http', methods: ['GET', 'HEAD'] },
      handler: () => {
        ran = true
      },
    }
    const result = responseOf(
      await runDefinition(definition as never, await wire(new Request('https://x/', { method: 'DELETE' })), options),
    )
    expect(result.status).toBe(405)
    expect(result.headers).toContainEqual(['allow', 'GET, HEAD'])
    expect(ran).toBe(false)
  })

  it('fails the envelope when the handler returns no Response, and httpResultOf hides the error text', async () => {
    const definition = { name: 'web', trigger: { kind: 'http' }, handler: () => ({ not: 'a response' }) }
    const envelope = await runDefinition(definition as never, await wire(new Request('https://x/')), options)
    expect(JSON.parse(envelope)).toMatchObject({
      ok: false,
      error: { name: 'TypeError', message: 'An HTTP function must return a Response (got object)' },
    })
    const logged: string[] = []
    const result = httpResultOf(envelope, (line) => logged.push(line))
    expect(result.status).toBe(500)
    expect(Buffer.from(result.body, 'base64').toString()).toBe('Internal Server Error')
    expect(logged[0]).toContain('must return a Response')
  })
})
