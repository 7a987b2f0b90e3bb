import { describe, expect, it } from 'vitest'
import { failedBeforeSending, networkErrorCode, parseRetryAfter } from '../src/network.ts'

const systemError = (code: string) => Object.assign(new Error(`connect ${code}`), { code })

describe('network facts shared by every provider', () => {
  it('finds the system error code, also where fetch nests it in cause', () => {
    expect(networkErrorCode(systemError('ECONNRESET'))).toBe('ECONNRESET')
    expect(networkErrorCode(new TypeError('fetch failed', { cause: systemError('ENOTFOUND') }))).toBe('ENOTFOUND')
    expect(networkErrorCode(Object.assign(new Error('x'), { code: 'ResourceNotFound' }))).toBeUndefined()
    expect(networkErrorCode('ECONNRESET')).toBeUndefined()
  })

  it('calls a failure "before sending" only when nothing can have reached the function', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(failedBeforeSending(new TypeError('fetch failed', { cause: systemError(code) })), code).toBe(true)
    }
    // A reset or a timeout can come after the request was sent and the function ran.
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']) {
      expect(failedBeforeSending(systemError(code)), code).toBe(false)
    }
    expect(failedBeforeSending(new Error('no code'))).toBe(false)
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(0)).toBe(0)
    expect(parseRetryAfter('-1')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString()
    expect(parseRetryAfter(inTenSeconds)).toBeGreaterThan(8000)
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT')).toBe(0)
  })
})
