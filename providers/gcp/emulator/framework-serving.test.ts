/**
 * Function instances serve the upload through the real Functions Framework:
 * what the framework does before (or instead of) calling the function reaches
 * the caller through the emulator's URL. Each case here differed when the
 * emulator re-implemented the framework.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, httpEcho, readEnv } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { MissingPackageError } from '../../../src/errors/missing-package.ts'
import { loadFailure } from '../__fixtures__/load-failure.ts'
import { queueRecorder } from '../__fixtures__/queue-recorder.ts'
import { startEmulated } from '../__fixtures__/setup.ts'
import { frameworkDir } from './framework.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

const uriOf = (name: string) => env.state.byShortName(name)?.resource.serviceConfig.uri as string
async function call(name: string, init: RequestInit & { path?: string } = {}) {
  const uri = uriOf(name)
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${await env.emulator.idTokenProvider(uri)}`)
  const response = await fetch(uri + (init.path ?? '/'), { ...init, headers })
  return { status: response.status, text: await response.text() }
}
const envelopeValue = (text: string) => (JSON.parse(text) as { value?: unknown }).value

describe('gcp emulator: functions served by the real Functions Framework', () => {
  it('decodes a gzip request body before the function sees it, and refuses an unknown coding or charset with 415', async () => {
    await env.cloudWith().deploy(echo, { name: 'echoer' })
    const gzipped = await call('echoer', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' },
      body: gzipSync('{"zipped":["é",1]}'),
    })
    expect([gzipped.status, envelopeValue(gzipped.text)]).toEqual([200, { zipped: ['é', 1] }])
    const coding = await call('echoer', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'content-encoding': 'snappy' },
      body: '{}',
    })
    // NODE_ENV=production: Express's error page names the status only.
    expect([coding.status, coding.text]).toEqual([415, expect.stringContaining('<pre>Unsupported Media Type</pre>')])
    const charset = await call('echoer', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=klingon' },
      body: '{}',
    })
    expect(charset.status).toBe(415)
  })

  it('answers 431 for a request line and headers over 16 KiB (Node.js HTTP server), without running the function', async () => {
    const long = await call('echoer', { path: `/?q=${'x'.repeat(17 * 1024)}`, method: 'POST', body: '1' })
    expect(long.status).toBe(431)
  })

  it('refuses forms with over 1,000 fields (413) and nesting past 32 levels (400) before the function runs', async () => {
    await env.cloudWith().deploy(httpEcho, { name: 'formed' })
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const many = Array.from({ length: 1001 }, (_, index) => `f${index}=1`).join('&')
    expect((await call('formed', { method: 'POST', headers: form, body: many })).status).toBe(413)
    const deep = `a${'[b]'.repeat(40)}=1`
    expect((await call('formed', { method: 'POST', headers: form, body: deep })).status).toBe(400)
    const fine = await call('formed', { method: 'POST', headers: form, body: 'a=1&b=2' })
    expect([fine.status, JSON.parse(fine.text).bodyBase64]).toEqual([200, Buffer.from('a=1&b=2').toString('base64')])
  })

  it('gives the function the environment of a deployed 2nd-gen function', async () => {
    await env.cloudWith().deploy(readEnv, { name: 'envy' })
    const keys = ['NODE_ENV', 'K_SERVICE', 'K_CONFIGURATION', 'PORT', 'FUNCTION_TARGET', 'FUNCTION_SIGNATURE_TYPE', 'MODE']
    const seen = (await env.cloudWith().get('envy')).invoke({ keys }) as Promise<Record<string, string | null>>
    const revision = env.state.byShortName('envy')?.resource.serviceConfig.revision
    expect(await seen).toEqual({
      NODE_ENV: 'production',
      K_SERVICE: 'envy',
      K_CONFIGURATION: 'envy',
      PORT: '8080',
      FUNCTION_TARGET: 'handler',
      FUNCTION_SIGNATURE_TYPE: 'http',
      MODE: 'fast',
    })
    const kRevision = (await (await env.cloudWith().get('envy')).invoke({ keys: ['K_REVISION'] })) as Record<string, string>
    expect(kRevision.K_REVISION).toBe(revision)
  })

  it('delivers a structured-mode CloudEvent to an event function, and fails a GET on it without running it', async () => {
    const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const record = mkdtempSync(join(tmpdir(), 'cloudfn-gcp-ce-'))
    try {
      await env.cloudWith().deploy(withOverrides(queueRecorder, { env: { RECORD_DIR: record } }), { name: 'evented' })
      const event = {
        specversion: '1.0',
        type: 'google.cloud.pubsub.topic.v1.messagePublished',
        source: '//pubsub.googleapis.com/projects/cloudfn-tests/topics/t',
        id: 'structured-1',
        datacontenttype: 'application/json',
        data: { message: { data: Buffer.from('{"mode":"structured"}').toString('base64'), messageId: '1' }, subscription: 's' },
      }
      // The framework's event middleware reads the (absent) body of a GET and throws: a 500, the function never runs.
      const got = await call('evented', { method: 'GET' })
      expect(got.status).toBe(500)
      const posted = await call('evented', {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event),
      })
      expect(posted.status).toBe(204)
      const received = readdirSync(record)
        .filter((file) => file.endsWith('.json'))
        .map((file) => JSON.parse(readFileSync(join(record, file), 'utf8')).received)
      expect(received).toEqual([{ mode: 'structured' }])
    } finally {
      rmSync(record, { recursive: true, force: true })
    }
  })

  it('fails the deploy as Cloud Run does when the code cannot load (the startup probe never passes)', async () => {
    const broken = withOverrides(loadFailure, { env: { BREAK_AT_LOAD: '1' } })
    await expect(env.cloudWith({ maxAttempts: 1 }).deploy(broken, { name: 'broken' })).rejects.toThrow(
      /Container Healthcheck failed/,
    )
  })

  it('names the package to install when the framework is missing', () => {
    expect(() => frameworkDir(['file:///nonexistent-dir/x.js'])).toThrow(MissingPackageError)
    expect(() => frameworkDir(['file:///nonexistent-dir/x.js'])).toThrow(
      /npm install --save-dev @google-cloud\/functions-framework/,
    )
  })
})
