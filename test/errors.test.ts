import {
  CancelledError,
  CloudfnError,
  ConflictError,
  FunctionError,
  InvalidArgumentError,
  NotFoundError,
  ProviderError,
  ThrottledError,
} from 'cloudfn'
import { describe, expect, it } from 'vitest'

describe('error classes', () => {
  it('carry a stable code, a name and a default retryability', () => {
    const throttled = new ThrottledError({ message: 'slow down', provider: 'aws', retryAfterMs: 2000 })
    expect(throttled).toMatchObject({
      code: 'Throttled',
      name: 'ThrottledError',
      isRetryable: true,
      provider: 'aws',
      retryAfterMs: 2000,
    })
    expect(new NotFoundError({ message: 'x', resource: 'fn' })).toMatchObject({ code: 'NotFound', isRetryable: false })
    expect(new ConflictError({ message: 'busy' }).isRetryable).toBe(true)
    expect(new ProviderError({ message: 'boom', isRetryable: false }).isRetryable).toBe(false)
  })

  it('isInstance tells the classes apart without instanceof', () => {
    const error = new InvalidArgumentError({ field: 'memoryMb', message: 'memoryMb must be ...' })
    expect(InvalidArgumentError.isInstance(error)).toBe(true)
    expect(CloudfnError.isInstance(error)).toBe(true)
    expect(NotFoundError.isInstance(error)).toBe(false)
    expect(CloudfnError.isInstance(new Error('plain'))).toBe(false)
    expect(CloudfnError.isInstance(null)).toBe(false)
  })

  it('recognises errors from another copy of the library by their registry symbol', () => {
    const foreign = Object.assign(new Error('from a CJS copy'), { [Symbol.for('cloudfn.error')]: 'Cancelled' })
    expect(CancelledError.isInstance(foreign)).toBe(true)
    expect(ThrottledError.isInstance(foreign)).toBe(false)
  })

  it('serialize without the cause, which may hold SDK internals', () => {
    const cause = Object.assign(new Error('sdk'), { $response: { headers: { authorization: 'AWS4-HMAC-SHA256 secret' } } })
    const error = new ProviderError({ message: 'request failed', provider: 'aws', status: 503, cause })
    const json = JSON.parse(JSON.stringify(error))
    expect(json).toEqual({
      name: 'ProviderError',
      code: 'ProviderError',
      message: 'request failed',
      provider: 'aws',
      isRetryable: true,
      status: 503,
      notExecuted: false,
    })
    // The cause is kept as a scrubbed copy: what it was, not the request it carried.
    expect(error.cause).toMatchObject({ name: 'Error', message: 'sdk' })
    expect(error.cause).not.toHaveProperty('$response')
  })

  it('redact credential-shaped text from messages', () => {
    const error = new ProviderError({
      message:
        'call with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl and ?code=abcDEF123456789 key AKIAABCDEFGHIJKLMNOP',
    })
    expect(error.message).not.toMatch(/eyJhbGci|abcDEF123456789|AKIAABCDEFGHIJKLMNOP/)
    expect(error.message).toContain('[redacted]')
  })

  it('keep an SDK cause only as a scrubbed copy: name, message, code, status, metadata', () => {
    const sdkError = Object.assign(new Error('Rate exceeded with token=SECRETSECRET123'), {
      name: 'TooManyRequestsException',
      code: 'Throttled',
      $metadata: { httpStatusCode: 429, requestId: 'r-1', cfId: undefined },
      $response: { headers: { 'x-amz-security-token': 'SESSIONTOKENVALUE' } },
      request: { headers: { authorization: 'Bearer ARMTOKENVALUE' } },
      cause: Object.assign(new Error('inner'), { config: { password: 'hunter2hunter2' } }),
    })
    const error = new ThrottledError({ message: 'throttled', cause: sdkError })
    const cause = error.cause as Record<string, unknown>
    expect(cause).toBeInstanceOf(Error)
    expect(cause).toMatchObject({
      name: 'TooManyRequestsException',
      code: 'Throttled',
      $metadata: { httpStatusCode: 429, requestId: 'r-1' },
    })
    expect(cause.message).toBe('Rate exceeded with token=[redacted]')
    expect(cause).not.toHaveProperty('$response')
    expect(cause).not.toHaveProperty('request')
    expect((cause.cause as Record<string, unknown>).message).toBe('inner')
    expect(cause.cause).not.toHaveProperty('config')
    const cloudfnCause = new ProviderError({ message: 'outer', cause: error })
    expect(cloudfnCause.cause).toBe(error)
  })

  it('FunctionError keeps the remote name, message and stack', () => {
    const error = new FunctionError({
      functionName: 'resize',
      remoteName: 'RangeError',
      remoteMessage: 'too wide',
      remoteStack: 'RangeError: too wide\n    at x',
    })
    expect(error.message).toBe("Function 'resize' threw RangeError: too wide")
    expect(error).toMatchObject({ remoteName: 'RangeError', remoteMessage: 'too wide', isRetryable: false })
  })
})
