import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../src/triggers/clock.ts'

// croner cannot be loaded in this file: a job with its own `next` (an emulator's operation delay) must not need it.
vi.mock('croner', () => {
  throw new Error('croner could not be loaded')
})

describe('systemClock when a tick cannot be worked out', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('fires a job with its own next() without loading croner (a failed load used to stop it for good)', async () => {
    const clock = systemClock()
    // One tick, 1 ms after whenever the clock first asks (however late that is on a loaded machine), the same tick
    // when it asks again before firing it (a timer that ran early re-arms), none once fired.
    let tick: number | undefined
    let done = false
    const fired = await new Promise<number>((resolve) => {
      const stop = clock.every({
        cron: '',
        timezone: 'UTC',
        next: (after) => {
          if (done) return undefined
          tick ??= after + 1
          return tick
        },
        fire: async (time) => {
          done = true
          stop()
          resolve(time.getTime())
        },
      })
    })
    expect(fired).toBe(tick)
  })

  it('says so and tries again when next() throws, instead of never firing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] })
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const clock = systemClock()
    const due = clock.now() + 10
    let calls = 0
    const fired: number[] = []
    const stop = clock.every({
      cron: '',
      timezone: 'UTC',
      next: (after) => {
        calls++
        if (calls === 1) throw new Error('not yet')
        return after < due ? due : undefined
      },
      fire: async (time) => void fired.push(time.getTime()),
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(warnings.mock.calls).toEqual([
      ['A schedule could not work out its next tick, trying again: Error: not yet', 'CloudfnClockWarning'],
    ])
    expect(fired).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    // The tick is past by then: it fires on the next turn.
    await vi.advanceTimersByTimeAsync(1)
    expect(fired).toEqual([due])
    stop()
  })

  it('warns once for a failure that keeps recurring and backs off, 1 s doubling to a minute', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] })
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const clock = systemClock()
    const start = clock.now()
    const asked: number[] = []
    const stop = clock.every({
      cron: '',
      timezone: 'UTC',
      next: () => {
        asked.push(clock.now() - start)
        throw new Error('invalid time zone')
      },
      fire: async () => undefined,
    })
    await vi.advanceTimersByTimeAsync(200_000)
    stop()
    expect(asked).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 123_000, 183_000])
    expect(warnings).toHaveBeenCalledTimes(1)
  })
})
