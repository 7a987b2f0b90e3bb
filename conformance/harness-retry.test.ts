import { describe, expect, it } from 'vitest'
import { BASE_DELAY_MS, backoffDelay, harnessRetry, MAX_DELAY_MS } from './harness-retry.ts'

/** A call that fails with `failures` in turn, then answers 'done'; counts its attempts. */
function scripted(...failures: unknown[]) {
  const script = [...failures]
  const call = async () => {
    call.attempts++
    if (script.length > 0) throw script.shift()
    return 'done'
  }
  call.attempts = 0
  return call
}

/** A sleep that records each wait instead of waiting: no test here depends on the wall clock. */
function fakeSleep() {
  const delays: number[] = []
  const sleep = async (ms: number) => void delays.push(ms)
  return { delays, sleep }
}

const dropped = () => new TypeError('Network error')
const answered = (status: number, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { $metadata: { httpStatusCode: status } }, fields)
const google = (code: number, message: string) => Object.assign(new Error(message), { code })

describe('harnessRetry: backoff', () => {
  it('waits an exponential backoff with jitter between attempts, through the injected sleep', async () => {
    const { delays, sleep } = fakeSleep()
    const call = scripted(dropped(), answered(503), answered(429), dropped())
    expect(await harnessRetry(call, { sleep, random: () => 0.5 })).toBe('done')
    expect(call.attempts).toBe(5)
    // Half of 20·2^(n-1) fixed, plus a quarter of it for a jitter draw of 0.5.
    expect(delays).toEqual([15, 30, 60, 120])
  })

  it('keeps each wait from half the backoff to the whole of it, capped', () => {
    for (let retry = 1; retry <= 12; retry++) {
      const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (retry - 1))
      expect(backoffDelay(retry, () => 0)).toBe(ceiling / 2)
      expect(backoffDelay(retry, () => 0.999_999)).toBe(ceiling)
    }
    expect(backoffDelay(12, () => 0.999_999)).toBe(MAX_DELAY_MS)
  })

  it('throws the last error when the attempts run out, having waited before each retry only', async () => {
    const { delays, sleep } = fakeSleep()
    const last = answered(500)
    const call = scripted(answered(503), dropped(), last, 'unused')
    await expect(harnessRetry(call, { sleep, attempts: 3, random: () => 0 })).rejects.toBe(last)
    expect(call.attempts).toBe(3)
    expect(delays).toEqual([10, 20])
  })

  it('gives up after six attempts by default', async () => {
    const { delays, sleep } = fakeSleep()
    const failures = Array.from({ length: 10 }, () => dropped())
    const call = scripted(...failures)
    await expect(harnessRetry(call, { sleep, random: () => 0 })).rejects.toBe(failures[5])
    expect(call.attempts).toBe(6)
    expect(delays).toEqual([10, 20, 40, 80, 160])
  })

  it('throws an error that is not transient at once, without waiting', async () => {
    const { delays, sleep } = fakeSleep()
    const refused = answered(400)
    const call = scripted(refused)
    await expect(harnessRetry(call, { sleep })).rejects.toBe(refused)
    expect(call.attempts).toBe(1)
    expect(delays).toEqual([])
  })
})

describe('harnessRetry: a repeat after a lost answer', () => {
  it('goneBefore: a 404 on a retry means the first delete landed', async () => {
    const { sleep } = fakeSleep()
    const call = scripted(dropped(), google(404, 'No such object: b/k'))
    expect(await harnessRetry(call, { sleep, goneBefore: true })).toBeUndefined()
    expect(call.attempts).toBe(2)
  })

  it('goneBefore: a 404 on the first attempt is thrown (the thing was never there)', async () => {
    const notFound = google(404, 'No such object: b/k')
    await expect(harnessRetry(scripted(notFound), { sleep: fakeSleep().sleep, goneBefore: true })).rejects.toBe(notFound)
  })

  it('goneBefore: a 404 on a retry is thrown when the predicate refuses it, and without the option', async () => {
    const { sleep } = fakeSleep()
    const noBucket = google(404, 'The specified bucket does not exist.')
    const objectOnly = (error: unknown) => /^No such object/.test((error as Error).message)
    await expect(harnessRetry(scripted(dropped(), noBucket), { sleep, goneBefore: objectOnly })).rejects.toBe(noBucket)
    const gone = google(404, 'No such object: b/k')
    await expect(harnessRetry(scripted(dropped(), gone), { sleep })).rejects.toBe(gone)
  })

  it('madeBefore: a 409 on a retry means the first create landed, when the predicate accepts it', async () => {
    const { sleep } = fakeSleep()
    const owned = (error: unknown) => (error as { name?: string }).name === 'BucketAlreadyOwnedByYou'
    const mine = answered(409, { name: 'BucketAlreadyOwnedByYou' })
    expect(await harnessRetry(scripted(dropped(), mine), { sleep, madeBefore: owned })).toBeUndefined()
    const theirs = answered(409, { name: 'BucketAlreadyExists' })
    await expect(harnessRetry(scripted(dropped(), theirs), { sleep, madeBefore: owned })).rejects.toBe(theirs)
    // A 409 on the first attempt was there before: thrown whatever the option.
    await expect(harnessRetry(scripted(mine), { sleep, madeBefore: true })).rejects.toBe(mine)
  })
})
