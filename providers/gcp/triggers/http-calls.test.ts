import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { web } from '../__fixtures__/http-functions.ts'
import { startEmulated } from '../__fixtures__/setup.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

const executions = () => env.state.executions.get('web-calls') ?? 0

describe('gcp fetch() on an HTTP function', () => {
  it('hands a redirect back as it is instead of following it with the token', async () => {
    const fn = await env.cloudWith().deploy(web)
    // Ends with '/' like every backend's; the ID token is still for the service URI, without it.
    expect(fn.url).toBe(`${env.state.byShortName('web-calls')?.resource.serviceConfig.uri}/`)
    const response = await fn.fetch('/away')
    expect([response.status, response.headers.get('location')]).toEqual([302, `${new URL('/landed', fn.url).href}`])
    expect(executions()).toBe(1)
  })

  it('sends a request once when the handler answers 401 itself, and again only when Cloud Run refused the token', async () => {
    const fn = await env.cloudWith().get('web-calls')
    const before = executions()
    const denied = await fn.fetch('/deny', { method: 'POST', body: 'charge card' })
    expect([denied.status, await denied.text()]).toEqual([401, 'not you'])
    expect(executions() - before).toBe(1)
    let tokens = 0
    const audiences = new Set<string>()
    const rotating = env.providerWith(async (audience) => {
      audiences.add(audience)
      return ++tokens === 1
        ? env.emulator.idTokenProvider('https://someone-else.a.run.app')
        : env.emulator.idTokenProvider(audience)
    })
    const handle = await env.cloudWith({ maxAttempts: 1 }, rotating).get('web-calls')
    const ok = await handle.fetch('/', { method: 'POST', body: 'once' })
    expect([ok.status, tokens, executions() - before]).toEqual([200, 2, 2])
    // The service URI, as Cloud Run expects the audience: record.url's trailing slash is not part of it.
    expect([...audiences]).toEqual([env.state.byShortName('web-calls')?.resource.serviceConfig.uri])
    expect(((await ok.json()) as { body: string }).body).toBe(Buffer.from('once').toString('base64'))
  })

  it('passes the exact body when the framework parses none: no content type, empty POST, DELETE', async () => {
    const fn = await env.cloudWith().get('web-calls')
    const sent = async (init: RequestInit) => (await (await fn.fetch('/', init)).json()) as { body: string; type: string | null }
    expect(await sent({ method: 'POST', body: Buffer.from('raw bytes') })).toEqual({
      method: 'POST',
      path: '/',
      type: null,
      body: Buffer.from('raw bytes').toString('base64'),
    })
    expect((await sent({ method: 'POST' })).body).toBe('')
    expect((await sent({ method: 'DELETE' })).body).toBe('')
  })

  it('lets /favicon.ico and /robots.txt reach the handler (the framework would answer 404 itself) without listing IGNORED_ROUTES', async () => {
    const fn = await env.cloudWith().get('web-calls')
    for (const path of ['/favicon.ico', '/robots.txt']) {
      const response = await fn.fetch(path)
      expect([response.status, ((await response.json()) as { path: string }).path]).toEqual([200, path])
    }
    expect(fn.envKeys).toEqual([])
    const strict = await fn.fetch('/', { method: 'POST', body: '"x"', headers: { 'content-type': 'application/json' } })
    // The framework's strict JSON parser answers before the handler: a documented GCP limit.
    expect([strict.status, strict.headers.get('content-type')]).toEqual([400, 'text/html; charset=utf-8'])
  })
})
