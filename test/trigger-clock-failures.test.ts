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
    const due = clock.now()
    const fired = await new Promise<number>((resolve) => {
      const stop = clock.every({
        cron: '',
        timezone: 'UTC',
        next: (after) => (after < due + 1 ? due + 1 : undefined),
        fire: async (time) => {
          stop()
          resolve(time.getTime())
        },
      })
    })
    expect(fired).toBe(due + 1)
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
})
