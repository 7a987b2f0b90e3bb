import { backoffDelay, CancelledError, DEFAULT_RETRY_POLICY, ProviderError, ThrottledError, withRetry } from 'cloudfn'
import { describe, expect, it } from 'vitest'

const noSleep = async () => {}

describe('backoffDelay', () => {
  it('is full jitter: uniform below an exponentially growing, capped ceiling', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 }
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99)
    expect(backoffDelay(2, policy, () => 0.5)).toBe(200)
    expect(backoffDelay(8, policy, () => 0.999)).toBe(999)
    expect(backoffDelay(3, policy, () => 0)).toBe(0)
  })

  it('waits at least as long as Retry-After asks', () => {
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, () => 0, 3000)).toBe(3000)
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, () => 0.5, 10)).toBe(50)
  })
})

describe('withRetry', () => {
  it('retries retryable errors up to maxAttempts, with the computed delays', async () => {
    const delays: number[] = []
    let calls = 0
    const result = withRetry(
      async () => {
        calls++
        throw new ThrottledError({ message: 'busy', retryAfterMs: calls === 1 ? 700 : undefined })
      },
      {
        policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
        shouldRetry: () => true,
        random: () => 0.5,
        sleep: async (ms) => {
          delays.push(ms)
        },
      },
    )
    await expect(result).rejects.toThrow('busy')
    expect(calls).toBe(3)
    expect(delays).toEqual([700, 100])
  })

  it('returns the first success', async () => {
    let calls = 0
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw new ProviderError({ message: 'flaky' })
        return 'ok'
      },
      { shouldRetry: () => true, sleep: noSleep },
    )
    expect(value).toBe('ok')
    expect(calls).toBe(3)
  })

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Error('final')
        },
        { shouldRetry: () => false, sleep: noSleep },
      ),
    ).rejects.toThrow('final')
    expect(calls).toBe(1)
  })

  it('stops with CancelledError when the signal aborts', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await withRetry(async () => 'never', { shouldRetry: () => true, signal: controller.signal }).catch((e) => e)
    expect(CancelledError.isInstance(error)).toBe(true)
  })
})
