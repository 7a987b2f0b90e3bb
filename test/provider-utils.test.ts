import { type CloudfnError, ConflictError, NotFoundError, ProviderError, ThrottledError, UnauthorizedError } from 'cloudfn'
import { errorFromHttpStatus, expectInteger, runDefinition } from 'cloudfn/provider-utils'
import { describe, expect, it } from 'vitest'

const failure = (status: number, extra: object = {}) =>
  errorFromHttpStatus({ status, provider: 'acme', message: `acme said ${status}`, resource: 'fn', cause: 'wire', ...extra })

/** The fields a caller acts on. */
function summary(error: CloudfnError) {
  return {
    class: error.constructor.name,
    code: error.code,
    retryable: error.isRetryable,
    retryAfterMs: error.retryAfterMs,
    status: error instanceof ProviderError ? error.status : undefined,
  }
}

describe('cloudfn/provider-utils', () => {
  it('maps HTTP statuses to the cloudfn error a caller can act on', () => {
    expect(summary(failure(404))).toEqual(summary(new NotFoundError({ message: '', resource: 'fn' })))
    expect((failure(404) as NotFoundError).resource).toBe('fn')
    expect(summary(failure(409, { retryAfterMs: 250 }))).toEqual({
      ...summary(new ConflictError({ message: '' })),
      retryAfterMs: 250,
    })
    expect(failure(412)).toBeInstanceOf(ConflictError)
    expect(summary(failure(429, { retryAfterMs: 1000 }))).toMatchObject({
      code: 'Throttled',
      retryable: true,
      retryAfterMs: 1000,
    })
    expect(failure(429)).toBeInstanceOf(ThrottledError)
    expect(failure(401)).toBeInstanceOf(UnauthorizedError)
    expect(failure(403)).toBeInstanceOf(UnauthorizedError)
    expect(summary(failure(503))).toMatchObject({ code: 'ProviderError', retryable: true, status: 503 })
    expect(summary(failure(408))).toMatchObject({ code: 'ProviderError', retryable: true, status: 408 })
    expect(summary(failure(400))).toMatchObject({ code: 'ProviderError', retryable: false, status: 400 })
    expect(failure(500)).toMatchObject({ provider: 'acme', message: 'acme said 500', cause: 'wire' })
  })

  it('exports the shim runtime and the validators the built-in providers use', async () => {
    const logs: string[] = []
    const twice = { name: 'twice', handler: (input: number) => input * 2 }
    const envelope = JSON.parse(
      await runDefinition(twice, '21', {
        executionId: 'e1',
        coldStart: true,
        deadline: Date.now() + 60_000,
        log: (level, message) => logs.push(`${level} ${message}`),
      }),
    )
    expect(envelope).toMatchObject({ ok: true, value: 42, meta: { executionId: 'e1', coldStart: true } })
    expect(() => expectInteger(0, 'settings.memoryMb', 128, 1024, ' MB')).toThrow(/settings\.memoryMb/)
  })
})
