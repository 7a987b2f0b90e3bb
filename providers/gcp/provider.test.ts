import { inspect } from 'node:util'
import type { ProviderError, ThrottledError } from 'cloudfn'
import { HttpResponse, http } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { echo, hog, sleep } from '../../conformance/fixtures/functions.ts'
import { observeResults } from '../../conformance/same-results.ts'
import { withOverrides } from '../../src/define.ts'
import { REQUEST_RETRY_POLICY } from '../../src/retry.ts'
import { local } from '../local/index.ts'
import { startEmulated } from './__fixtures__/setup.ts'
import { gcp } from './index.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())
afterEach(() => {
  env.emulator.faults.clear()
  env.server.resetHandlers()
})

describe('gcp settings and input', () => {
  it('rejects bad settings naming the field', () => {
    expect(() => gcp({ project: 'Bad Project', region: 'us-central1' })).toThrow(/settings.project/)
    expect(() => gcp({ project: 'my-project', region: 'moon' })).toThrow(/settings.region/)
    expect(() => gcp({ project: 'my-project', region: 'us-central1', zone: 'a' } as never)).toThrow(/settings.zone/)
    expect(() => gcp({ project: 'my-project', region: 'us-central1', idTokenProvider: 'x' as never })).toThrow(
      /settings.idTokenProvider/,
    )
  })

  it('rejects bad providerOptions before sending anything', async () => {
    const before = env.state.requestCount
    const bad = withOverrides(echo, { providerOptions: { gcp: { maxInstances: 0 } } })
    const error = await caughtError(env.cloudWith().deploy(bad, { name: 'bad-options' }))
    expect(error.code).toBe('InvalidArgument')
    expect((error as { field?: string }).field).toBe('providerOptions.gcp.maxInstances')
    const typo = await caughtError(env.cloudWith().deploy(withOverrides(echo, { providerOptions: { gcp: { maxInstance: 1 } } })))
    expect(typo.code).toBe('InvalidArgument')
    expect(env.state.requestCount).toBe(before)
  })
})

describe('gcp deploy', () => {
  it('creates the function as specified, and updates only what changed', async () => {
    const cloud = env.cloudWith({ maxAttempts: 1 })
    const fn = await cloud.deploy(withOverrides(echo, { providerOptions: { gcp: { maxInstances: 3 } } }), { name: 'spec' })
    const resource = env.state.byShortName('spec')?.resource
    expect(resource?.buildConfig).toMatchObject({ runtime: 'nodejs22', entryPoint: 'handler' })
    expect(resource?.serviceConfig).toMatchObject({
      availableMemory: '256Mi',
      timeoutSeconds: 60,
      maxInstanceCount: 3,
      maxInstanceRequestConcurrency: 1,
    })
    expect(resource?.labels['cloudfn-managed']).toBe('true')
    expect(fn.status).toBe('created')
    expect(fn.envKeys).toEqual([])

    const source = resource?.buildConfig.source?.storageSource?.object
    const before = env.state.requests.length
    const updated = await cloud.deploy(withOverrides(echo, { memoryMb: 1024, providerOptions: { gcp: { maxInstances: 3 } } }), {
      name: 'spec',
    })
    expect(updated.status).toBe('updated')
    expect(updated.memoryMb).toBe(1024)
    const calls = env.state.requests.slice(before).map((r) => `${r.method} ${new URL(r.url).pathname.split('/').pop()}`)
    // A config-only change uploads nothing and keeps the source.
    expect(calls.some((c) => c.includes('generateUploadUrl') || c.startsWith('PUT'))).toBe(false)
    expect(env.state.byShortName('spec')?.resource.buildConfig.source?.storageSource?.object).toBe(source)
    await fn.remove()
  })

  it('retries throttled, unavailable and reset API calls', async () => {
    const { faults } = env.emulator
    faults.inject({ on: 'control', kind: 'throttle', retryAfterSec: 0 })
    faults.inject({ on: 'control', kind: 'server-error', status: 503, match: /^POST / })
    faults.inject({ on: 'upload', kind: 'reset' })
    faults.inject({ on: 'upload', kind: 'server-error', status: 500 })
    const fn = await env.cloudWith({ maxAttempts: 6 }).deploy(echo, { name: 'flaky' })
    expect(fn.status).toBe('created')
    expect(await fn.invoke({ ok: 1 })).toEqual({ ok: 1 })
    await fn.remove()
  })

  it('surfaces a throttled API call as Throttled when retries run out: the API gives no delay, cloudfn backs off on its own', async () => {
    // Lasting longer than each request's own retries (src/retry.ts REQUEST_RETRY_POLICY).
    env.emulator.faults.inject({ on: 'control', kind: 'throttle', times: REQUEST_RETRY_POLICY.maxAttempts })
    const error = await caughtError(env.cloudWith({ maxAttempts: 1 }).get('anything'))
    expect(error.code).toBe('Throttled')
    expect((error as ThrottledError).retryAfterMs).toBeUndefined()
  })

  it('answers a quota error as Google APIs do: RESOURCE_EXHAUSTED, ErrorInfo RATE_LIMIT_EXCEEDED, no Retry-After or RetryInfo', async () => {
    env.emulator.faults.inject({ on: 'control', kind: 'throttle' })
    const response = await fetch(
      'https://cloudfunctions.googleapis.com/v2/projects/cloudfn-tests/locations/us-central1/functions',
      {
        headers: { authorization: 'Bearer x' },
      },
    )
    const body = (await response.json()) as { error: { status: string; details: Array<Record<string, unknown>> } }
    expect([response.status, response.headers.get('retry-after'), body.error.status]).toEqual([429, null, 'RESOURCE_EXHAUSTED'])
    expect(body.error.details).toEqual([
      expect.objectContaining({
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
        metadata: expect.objectContaining({ service: 'cloudfunctions.googleapis.com' }),
      }),
    ])
  })

  it('refuses function names under 4 characters before sending anything, as the API refuses such function IDs', async () => {
    const before = env.state.requests.length
    const error = await caughtError(env.cloudWith({ maxAttempts: 1 }).deploy(echo, { name: 'abc' }))
    expect([error.code, (error as { field?: string }).field]).toEqual(['InvalidArgument', 'name'])
    expect(env.state.requests.length).toBe(before)
    const api = await fetch(
      'https://cloudfunctions.googleapis.com/v2/projects/cloudfn-tests/locations/us-central1/functions?functionId=abc',
      { method: 'POST', headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: '{}' },
    )
    expect(api.status).toBe(400)
  })

  it('retries a failed operation on transient errors and stops on a build failure', async () => {
    env.emulator.faults.failOperations(1, { status: 'INTERNAL', message: 'transient' })
    const fn = await env.cloudWith({ maxAttempts: 3 }).deploy(echo, { name: 'op-retry' })
    expect(env.state.byShortName('op-retry')?.resource.state).toBe(1)
    expect(await fn.invoke('x')).toBe('x')

    env.emulator.faults.failOperations(1, { status: 'INVALID_ARGUMENT', message: 'Build failed: npm ERR!' })
    const failed = await caughtError(
      env.cloudWith({ maxAttempts: 3 }).deploy(withOverrides(echo, { memoryMb: 512 }), { name: 'op-retry' }),
    )
    expect(failed.code).toBe('ProviderError')
    expect(failed.isRetryable).toBe(false)
    expect(failed.message).toMatch(/Build failed/)
    // The next deploy repairs the FAILED function even though nothing changed.
    const repaired = await env.cloudWith().deploy(withOverrides(echo, { memoryMb: 512 }), { name: 'op-retry' })
    expect(repaired.status).toBe('updated')
    await fn.remove()
  })

  it('waits out an operation already running on the function instead of failing', async () => {
    env.emulator.options.operationDelayMs = 80
    try {
      const cloud = env.cloudWith({ maxAttempts: 1 })
      const first = cloud.deploy(echo, { name: 'busy' })
      while (env.state.byShortName('busy') === undefined) await new Promise((resolve) => setTimeout(resolve, 2))
      // The second deploy sees DEPLOYING, waits for ACTIVE, then finds nothing to change.
      const second = await cloud.deploy(echo, { name: 'busy' })
      expect((await first).status).toBe('created')
      expect(second.status).toBe('unchanged')
      await cloud.remove('busy')
    } finally {
      env.emulator.options.operationDelayMs = 5
    }
  })
})

describe('gcp invoke', () => {
  it('retries a throttled invoke (the function did not run) and runs it exactly once', async () => {
    const fn = await env.cloudWith().deploy(echo, { name: 'throttled' })
    env.emulator.faults.inject({ on: 'invoke', kind: 'throttle', retryAfterSec: 0, times: 2 })
    expect(await fn.invoke({ n: 1 })).toEqual({ n: 1 })
    expect(env.state.executions.get('throttled')).toBe(1)

    env.emulator.faults.inject({ on: 'invoke', kind: 'throttle', retryAfterSec: 4 })
    const handle = await env.cloudWith({ maxAttempts: 1 }).get('throttled')
    const error = await caughtError(handle.invoke({ n: 2 }))
    expect(error.code).toBe('Throttled')
    expect(error.retryAfterMs).toBe(4000)
    expect(env.state.executions.get('throttled')).toBe(1)
    await fn.remove()
  })

  it('never runs a synchronous invoke twice: 500 after running, 503 and resets surface at once', async () => {
    const fn = await env.cloudWith({ maxAttempts: 5 }).deploy(echo, { name: 'once' })
    const faults = [
      { kind: 'fail-after-run', status: 500 },
      { kind: 'server-error', status: 503 },
      { kind: 'server-error', status: 500 },
      { kind: 'reset' },
    ] as const
    for (const fault of faults) {
      env.emulator.faults.inject({ on: 'invoke', ...fault })
      const requests = env.state.requestCount
      const error = await caughtError(fn.invoke(fault))
      expect(error.code).toBe('ProviderError')
      expect((error as ProviderError).notExecuted).toBe(false)
      expect(env.state.requestCount - requests).toBe(1)
    }
    expect(env.state.executions.get('once')).toBe(1)
    await fn.remove()
  })

  it('maps refused ID tokens to Unauthorized without quoting the token', async () => {
    const fn = await env.cloudWith().deploy(echo, { name: 'tokens' })
    const wrongAudience = env.providerWith(() => env.emulator.idTokenProvider('https://someone-else.a.run.app'))
    const error = await caughtError((await env.cloudWith({}, wrongAudience).get('tokens')).invoke(1))
    expect(error.code).toBe('Unauthorized')
    // No recognisable token shape, so redaction cannot be what keeps it out.
    const secret = 'opaque0token0value0with0no0shape'
    const failing = env.providerWith(async () => {
      throw new Error('no credentials')
    })
    const noToken = await caughtError((await env.cloudWith({}, failing).get('tokens')).invoke(1))
    expect(noToken.code).toBe('Unauthorized')
    const leaky = env.providerWith(async () => secret)
    const refused = await caughtError((await env.cloudWith({}, leaky).get('tokens')).invoke(1))
    expect(
      JSON.stringify(refused.toJSON()) + refused.message + String(refused.stack) + inspect(refused, { depth: 8 }),
    ).not.toContain(secret)
    await fn.remove()
  })

  it('fetches a new ID token once when the function refuses a cached one, and runs the function once', async () => {
    const fn = await env.cloudWith().deploy(echo, { name: 'rotated-token' })
    let fetches = 0
    const rotating = env.providerWith(async (audience) =>
      ++fetches === 1 ? env.emulator.idTokenProvider('https://someone-else.a.run.app') : env.emulator.idTokenProvider(audience),
    )
    const handle = await env.cloudWith({ maxAttempts: 1 }, rotating).get('rotated-token')
    expect(await handle.invoke('after rotation')).toBe('after rotation')
    expect(await handle.invoke('cached')).toBe('cached')
    expect(fetches).toBe(2)
    expect(env.state.executions.get('rotated-token')).toBe(2)
    await fn.remove()
  })

  it('answers an instance killed for its memory with a generic 500, which cloudfn cannot tell from another failure', async () => {
    const fn = await env.cloudWith({ maxAttempts: 1 }).deploy(hog, { name: 'hungry' })
    const error = await caughtError(fn.invoke(null))
    expect([error.code, (error as ProviderError).status]).toEqual(['ProviderError', 500])
    expect(error.message).not.toMatch(/memory/i)
    await fn.remove()
  })

  it('maps the HTTP answers of a function URL onto cloudfn errors', async () => {
    const fn = await env.cloudWith({ maxAttempts: 1 }).deploy(sleep, { name: 'statuses' })
    // Not HTTP-triggered, so the handle has no URL; invoke still posts to the service's.
    expect(fn.url).toBeUndefined()
    const url = env.state.byShortName('statuses')?.resource.serviceConfig.uri as string
    const cases: Array<[number, string, string, Record<string, unknown>]> = [
      [413, 'Request Entity Too Large', 'PayloadTooLarge', { direction: 'request' }],
      [504, 'upstream request timeout', 'Timeout', { timeoutSec: 1 }],
      // Cloud Run logs the memory limit; the caller's 500 says nothing of it, whatever its text.
      [500, 'Memory limit of 256 MiB exceeded with 270 MiB used.', 'ProviderError', { status: 500 }],
      [500, 'Response size was too large', 'PayloadTooLarge', { direction: 'response' }],
      [500, 'Internal Server Error', 'ProviderError', { status: 500 }],
      [503, 'Service Unavailable', 'ProviderError', { status: 503 }],
      [404, 'Page not found', 'NotFound', {}],
      [403, 'Forbidden', 'Unauthorized', {}],
    ]
    for (const [status, body, code, fields] of cases) {
      env.server.use(http.post(url, () => new HttpResponse(body, { status }), { once: true }))
      const error = await caughtError(fn.invoke({ ms: 1 }))
      expect([error.code, error]).toMatchObject([code, fields])
    }
    await fn.remove()
  })

  it('lets an invoke retry a failed URL lookup: nothing reached the function', async () => {
    await env.cloudWith().deploy(echo, { name: 'lookup' })
    const provider = env.providerWith()
    // Lasting longer than the lookup request's own retries.
    env.emulator.faults.inject({
      on: 'control',
      kind: 'server-error',
      status: 503,
      match: /^GET /,
      times: REQUEST_RETRY_POLICY.maxAttempts,
    })
    const request = { name: 'lookup', payload: '"x"' } as Parameters<typeof provider.doInvoke>[0]
    const error = await caughtError(provider.doInvoke(request, {}))
    expect([error.code, (error as ProviderError).notExecuted]).toEqual(['ProviderError', true])
    expect(env.state.executions.get('lookup')).toBeUndefined()
    // Through the core, the retry then runs it once.
    const retried = await env.cloudWith({}, env.providerWith())
    env.emulator.faults.inject({ on: 'control', kind: 'server-error', status: 503, match: /^GET / })
    expect(await (await retried.get('lookup')).invoke('y')).toBe('y')
    expect(env.state.executions.get('lookup')).toBe(1)
    await env.cloudWith().remove('lookup')
  })

  it('finds a function deployed by another client, and forgets a URL that is gone', async () => {
    await env.cloudWith().deploy(echo, { name: 'elsewhere' })
    const other = env.cloudWith({}, env.providerWith())
    const handle = await other.get('elsewhere')
    expect(await handle.invoke('hi')).toBe('hi')
    await env.cloudWith().remove('elsewhere')
    // The cached URL answers 404 now; the next call asks the API again, which agrees.
    expect((await caughtError(handle.invoke(1))).code).toBe('NotFound')
    const before = env.state.requests.length
    expect((await caughtError(handle.invoke(1))).code).toBe('NotFound')
    expect(env.state.requests.slice(before).map((r) => r.method + new URL(r.url).pathname.slice(-10))).toEqual(['GET/elsewhere'])
  })

  // Many deliveries on two backends: the bound is a hang guard for a busy machine.
  it('gives the same results and errors as the local fake for the same inputs', async () => {
    expect(await observeResults(env.cloudWith())).toEqual(await observeResults(local()))
  }, 180_000)
})
