import { describe, expect, it } from 'vitest'
import { recordingResponse } from './__fixtures__/recording-response.ts'
import { fakeIdToken } from './emulator/id-token.ts'
import { functionState, rpcStatusName } from './enums.ts'
import { mapControlPlaneError } from './errors.ts'
import { cachedIdTokens } from './id-token.ts'
import { hexToLabel, labelToHex } from './labels.ts'
import { formatMemory, parseMemoryMb } from './memory.ts'
import { toEndpoint, toRecord } from './record.ts'
import { createEntry, type HttpRequestLike } from './shim.ts'
import { TRIGGER_ENV } from './triggers/stored.ts'

describe('gcp enums, memory and labels', () => {
  it('reads states and status codes given as numbers or names', () => {
    expect([functionState(1), functionState('ACTIVE'), functionState(3), functionState('DEPLOYING')]).toEqual([
      'ACTIVE',
      'ACTIVE',
      'DEPLOYING',
      'DEPLOYING',
    ])
    expect(functionState(undefined)).toBe('STATE_UNSPECIFIED')
    expect([rpcStatusName(5), rpcStatusName('NOT_FOUND'), rpcStatusName('nope')]).toEqual(['NOT_FOUND', 'NOT_FOUND', undefined])
  })

  it('writes memory as Mi and reads the forms other tools write', () => {
    expect(formatMemory(512)).toBe('512Mi')
    expect([
      parseMemoryMb('256Mi'),
      parseMemoryMb('256M'),
      parseMemoryMb('1Gi'),
      parseMemoryMb('2G'),
      parseMemoryMb('x'),
    ]).toEqual([256, 256, 1024, 2048, undefined])
  })

  it('stores a SHA-256 losslessly in a label value', () => {
    const hex = 'ff'.repeat(32)
    const label = hexToLabel(hex)
    expect(label).toMatch(/^[a-z2-7]{52}$/)
    expect(labelToHex(label)).toBe(hex)
    expect(labelToHex('NOT-BASE32!')).toBe('')
  })

  const functionWith = (environmentVariables: Record<string, string>) => ({
    name: 'projects/p/locations/l/functions/f',
    updateTime: { seconds: 1_700_000_000, nanos: 5_000_000 },
    labels: { 'cloudfn-code': hexToLabel('ab'.repeat(32)) },
    serviceConfig: { availableMemory: '1Gi', timeoutSeconds: 30, uri: 'https://f-x-uc.a.run.app', environmentVariables },
  })

  it('turns a Function into a record without platform variables, and without a URL unless HTTP-triggered', () => {
    const fn = functionWith({ MODE: 'x', LOG_EXECUTION_ID: 'true', CLOUDFN_TIMEOUT_SEC: '30' })
    expect(toRecord(fn)).toEqual({
      name: 'f',
      provider: 'gcp',
      memoryMb: 1024,
      timeoutSec: 30,
      envKeys: ['MODE'],
      codeHash: 'ab'.repeat(32),
      configHash: '',
      url: undefined,
      trigger: undefined,
      updatedAt: '2023-11-14T22:13:20.005Z',
    })
    // Invoke still reaches the service behind it.
    expect(toEndpoint(fn)).toEqual({ url: 'https://f-x-uc.a.run.app', timeoutSec: 30, memoryMb: 1024 })
    const schedule = { kind: 'schedule', cron: '* * * * *', timezone: 'UTC' }
    expect(toRecord(functionWith({ [TRIGGER_ENV]: JSON.stringify(schedule) })).url).toBeUndefined()
    const http = toRecord(functionWith({ [TRIGGER_ENV]: JSON.stringify({ kind: 'http', auth: 'iam' }) }))
    expect([http.url, http.trigger?.kind]).toEqual(['https://f-x-uc.a.run.app/', 'http'])
  })
})

describe('gcp control-plane error mapping', () => {
  const gaxios = (status: number, body: object, headers: Record<string, string> = {}) =>
    Object.assign(new Error(JSON.stringify(body)), { status, response: { status, data: body, headers: new Headers(headers) } })

  it.each([
    [404, 'NOT_FOUND', 'NotFound', false],
    [409, 'ALREADY_EXISTS', 'Conflict', true],
    [409, 'ABORTED', 'Conflict', true],
    [403, 'PERMISSION_DENIED', 'Unauthorized', false],
    [401, 'UNAUTHENTICATED', 'Unauthorized', false],
    [400, 'INVALID_ARGUMENT', 'ProviderError', false],
    [500, 'INTERNAL', 'ProviderError', true],
    [503, 'UNAVAILABLE', 'ProviderError', true],
  ])('HTTP %i %s becomes %s (retryable: %s)', (status, name, code, retryable) => {
    const error = mapControlPlaneError(gaxios(status, { error: { code: status, status: name, message: 'm' } }), 'get', 'f')
    expect([error.code, error.isRetryable]).toEqual([code, retryable])
  })

  it('treats "already in progress" preconditions as conflicts and reads RetryInfo', () => {
    const busy = gaxios(400, {
      error: { code: 400, status: 'FAILED_PRECONDITION', message: 'An operation is already in progress' },
    })
    expect(mapControlPlaneError(busy, 'update', 'f').code).toBe('Conflict')
    const quota = gaxios(429, {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'q',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }],
      },
    })
    expect(mapControlPlaneError(quota, 'get', 'f')).toMatchObject({ code: 'Throttled', retryAfterMs: 1500 })
    const operation = Object.assign(new Error('bad build'), { code: 3 })
    expect(mapControlPlaneError(operation, 'create', 'f')).toMatchObject({ code: 'ProviderError', isRetryable: false })
  })
})

describe('gcp shim', () => {
  it('reads the raw body, takes the execution id from the headers and reports one cold start', async () => {
    const handler = createEntry({ name: 't', handler: (input: never) => input })
    const first = recordingResponse()
    const req: HttpRequestLike = { rawBody: Buffer.from('"plain"'), headers: { 'x-cloud-trace-context': 'abc123/1;o=1' } }
    await handler(req, first.res)
    expect(first.sent.status).toBe(200)
    expect(first.sent.headers['content-type']).toMatch(/application\/json/)
    expect(JSON.parse(first.sent.body.toString('utf8'))).toMatchObject({
      ok: true,
      value: 'plain',
      meta: { coldStart: true, executionId: 'abc123' },
    })
    const second = recordingResponse()
    await handler({ body: { parsed: true }, headers: { 'function-execution-id': 'exec-2' } }, second.res)
    expect(JSON.parse(second.sent.body.toString('utf8'))).toMatchObject({
      value: { parsed: true },
      meta: { coldStart: false, executionId: 'exec-2' },
    })
  })

  it('answers 200 with a failure envelope when the handler throws', async () => {
    const handler = createEntry({
      name: 't',
      handler: () => {
        throw new RangeError('nope')
      },
    })
    const { res, sent } = recordingResponse()
    await handler({ rawBody: Buffer.from('null'), headers: {} }, res)
    expect(sent.status).toBe(200)
    expect(JSON.parse(sent.body.toString('utf8'))).toMatchObject({ ok: false, error: { name: 'RangeError', message: 'nope' } })
  })
})

describe('gcp ID tokens', () => {
  it('fetches one token per audience, shared by concurrent calls, until shortly before it expires', async () => {
    let clock = 1_000_000_000_000
    let fetches = 0
    const tokens = cachedIdTokens(
      async (audience) => {
        fetches++
        return fakeIdToken(audience, 3600)
      },
      () => clock,
    )
    const audience = 'https://fn-abc-ew.a.run.app'
    const first = await Promise.all([tokens(audience), tokens(audience), tokens(audience)])
    expect(new Set(first).size).toBe(1)
    expect(fetches).toBe(1)
    await tokens(audience)
    expect(fetches).toBe(1)
    await tokens('https://other-abc-ew.a.run.app')
    expect(fetches).toBe(2)
    // fakeIdToken's exp is an hour from the real now; past exp minus the margin, a new token is fetched.
    clock = Date.now() + 56 * 60_000
    await tokens(audience)
    expect(fetches).toBe(3)
    tokens.forget(audience)
    await tokens(audience)
    expect(fetches).toBe(4)
  })

  it('does not keep a failed fetch', async () => {
    let calls = 0
    const tokens = cachedIdTokens(async () => {
      if (++calls === 1) throw new Error('metadata server unreachable')
      return 'opaque-token'
    })
    await expect(tokens('https://a')).rejects.toThrow('metadata server unreachable')
    expect(await tokens('https://a')).toBe('opaque-token')
  })
})
