import { type CloudfnError, ConflictError, NotFoundError, ProviderError, ThrottledError, UnauthorizedError } from 'cloudfn'
import {
  type ExecutionScope,
  errorFromHttpStatus,
  expectInteger,
  runDefinition,
  runInExecutionScope,
} from 'cloudfn/provider-utils'
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

  it('gives overlapping in-process executions their own env and console; the host keeps its own', async () => {
    const scope = (who: string): ExecutionScope & { lines: string[] } => {
      const lines: string[] = []
      return { env: { WHO: who }, log: (level, message) => lines.push(`${level} ${message}`), lines }
    }
    const [a, b] = [scope('a'), scope('b')]
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const run = (own: ExecutionScope) =>
      runInExecutionScope(own, async () => {
        process.env.TAG = `tag-${process.env.WHO}`
        console.log('before', process.env.WHO)
        // Both executions are inside their scopes here at once.
        await gate
        console.warn('after', process.env.TAG, { path: process.env.PATH ?? null })
        return Object.keys(process.env).sort()
      })
    const pending = [run(a), run(b)]
    expect(process.env.TAG).toBeUndefined()
    expect(process.env.PATH).toBeDefined()
    release()
    expect(await Promise.all(pending)).toEqual([
      ['TAG', 'WHO'],
      ['TAG', 'WHO'],
    ])
    expect(a.lines).toEqual(['log before a', 'warn after tag-a { path: null }'])
    expect(b.lines).toEqual(['log before b', 'warn after tag-b { path: null }'])
    expect(process.env.TAG).toBeUndefined()
  })
})
