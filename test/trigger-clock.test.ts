import { afterEach, describe, expect, it, vi } from 'vitest'
import { createManualClock, systemClock } from '../src/triggers/clock.ts'

const at = (iso: string) => new Date(iso).getTime()

describe('createManualClock', () => {
  it('fires every due tick in time order, waiting for each, and stops when told', async () => {
    const clock = createManualClock(at('2026-01-01T00:00:30Z'))
    const fired: string[] = []
    let running = 0
    const stopFive = clock.every({
      cron: '*/5 * * * *',
      timezone: 'UTC',
      fire: async (time) => {
        running++
        await new Promise((resolve) => setTimeout(resolve, 1))
        fired.push(`5:${time.toISOString().slice(11, 16)}`)
        running--
      },
    })
    clock.every({
      cron: '*/15 * * * *',
      timezone: 'UTC',
      fire: async (time) => void fired.push(`15:${time.toISOString().slice(11, 16)}`),
    })
    expect(await clock.advance(16 * 60_000)).toBe(4)
    expect(running).toBe(0)
    expect(fired).toEqual(['5:00:05', '5:00:10', '15:00:15', '5:00:15'].sort((a, b) => a.slice(-5).localeCompare(b.slice(-5))))
    expect(clock.now()).toBe(at('2026-01-01T00:16:30Z'))
    stopFive()
    expect(await clock.advance(15 * 60_000)).toBe(1)
  })

  it('follows daylight saving time in the job time zone', async () => {
    // Paris moves from UTC+1 to UTC+2 on 29 March 2026.
    const clock = createManualClock(at('2026-03-28T00:00:00Z'))
    const fired: string[] = []
    clock.every({ cron: '0 9 * * *', timezone: 'Europe/Paris', fire: async (time) => void fired.push(time.toISOString()) })
    await clock.advance(48 * 3_600_000)
    expect(fired).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z'])
  })

  it('rejects a negative advance', async () => {
    await expect(createManualClock().advance(-1)).rejects.toThrow('ms must be an integer')
  })
})

describe('systemClock', () => {
  afterEach(() => vi.useRealTimers())

  it('fires on wall-clock ticks until stopped', async () => {
    vi.useFakeTimers({ now: at('2026-01-01T00:00:30Z') })
    const fired: string[] = []
    const stop = systemClock().every({
      cron: '* * * * *',
      timezone: 'UTC',
      fire: async (time) => void fired.push(time.toISOString()),
    })
    await vi.advanceTimersByTimeAsync(140_000)
    expect(fired).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z'])
    stop()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(fired).toHaveLength(2)
  })
})
