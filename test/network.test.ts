import { describe, expect, it, vi } from 'vitest'
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
    // The clock stands still (a loaded machine could spend seconds between writing the date and reading it);
    // an HTTP date has whole seconds, so 10 s from 12:00:00.500 reads as 9.5 s.
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1, 12, 0, 0, 500))
    try {
      const inTenSeconds = new Date(Date.now() + 10_000).toUTCString()
      expect(parseRetryAfter(inTenSeconds)).toBe(9500)
    } finally {
      now.mockRestore()
    }
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT')).toBe(0)
  })
})
