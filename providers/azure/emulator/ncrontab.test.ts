import { describe, expect, it } from 'vitest'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { normalizeCron } from '../../../src/triggers/cron.ts'
import { ncrontabOf } from '../triggers/schedule.ts'
import { indexFunctions, parseHostConfig } from './host-config.ts'
import { parseNcrontab } from './ncrontab.ts'

/** The first `count` ticks after `from` (ISO, UTC), as ISO strings. */
function ticks(expression: string, from: string, count: number): string[] {
  const schedule = parseNcrontab(expression)
  const out: string[] = []
  let at = Date.parse(from)
  for (let index = 0; index < count; index++) {
    const next = schedule.next(at)
    if (next === undefined) break
    out.push(new Date(next).toISOString())
    at = next
  }
  return out
}

// 2026-01-05 is a Monday.
const MONDAY = '2026-01-05T00:00:00Z'

describe('NCRONTAB as the timer trigger parses it', () => {
  // The examples of Microsoft Learn's "Timer trigger for Azure Functions" page (NCRONTAB examples).
  it('fires the documented examples at the documented times', () => {
    expect(ticks('0 */5 * * * *', MONDAY, 3)).toEqual([
      '2026-01-05T00:05:00.000Z',
      '2026-01-05T00:10:00.000Z',
      '2026-01-05T00:15:00.000Z',
    ])
    expect(ticks('0 0 * * * *', MONDAY, 2)).toEqual(['2026-01-05T01:00:00.000Z', '2026-01-05T02:00:00.000Z'])
    expect(ticks('0 0 */2 * * *', MONDAY, 2)).toEqual(['2026-01-05T02:00:00.000Z', '2026-01-05T04:00:00.000Z'])
    const workHours = ticks('0 0 9-17 * * *', MONDAY, 10)
    expect(workHours[0]).toBe('2026-01-05T09:00:00.000Z')
    expect(workHours[8]).toBe('2026-01-05T17:00:00.000Z')
    expect(workHours[9]).toBe('2026-01-06T09:00:00.000Z')
    expect(ticks('0 30 9 * * *', MONDAY, 2)).toEqual(['2026-01-05T09:30:00.000Z', '2026-01-06T09:30:00.000Z'])
    // Every weekday: Friday 9th, then Monday 12th.
    expect(ticks('0 30 9 * * 1-5', '2026-01-09T00:00:00Z', 2)).toEqual(['2026-01-09T09:30:00.000Z', '2026-01-12T09:30:00.000Z'])
    // Every Monday in January: after the last one, the first Monday of the next January.
    expect(ticks('0 30 9 * Jan Mon', '2026-01-20T00:00:00Z', 3)).toEqual([
      '2026-01-26T09:30:00.000Z',
      '2027-01-04T09:30:00.000Z',
      '2027-01-11T09:30:00.000Z',
    ])
  })

  it('has a seconds field, and reads five fields as seconds 0', () => {
    expect(ticks('*/15 * * * * *', MONDAY, 2)).toEqual(['2026-01-05T00:00:15.000Z', '2026-01-05T00:00:30.000Z'])
    expect(ticks('30 9 * * *', MONDAY, 1)).toEqual(['2026-01-05T09:30:00.000Z'])
  })

  it('follows NCrontab: names by prefix, n/step to the maximum, backwards ranges swapped, day of month AND of week', () => {
    expect([...parseNcrontab('0 0 0 * * T').daysOfWeek]).toEqual([2])
    expect([...parseNcrontab('0 0 0 * * sunday,Sat').daysOfWeek]).toEqual([0, 6])
    expect([...parseNcrontab('0 50/5 * * * *').minutes]).toEqual([50, 55])
    expect([...parseNcrontab('0 0 5-1 * * *').hours]).toEqual([1, 2, 3, 4, 5])
    // The 13th that is also a Friday (both must match, unlike Vixie cron's either).
    expect(ticks('0 0 0 13 * 5', MONDAY, 2)).toEqual(['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z'])
  })

  it('refuses what the host refuses: day of week 7, L, ?, a wrong field count, out-of-range values', () => {
    expect(() => parseNcrontab('0 0 9 * * 5-7')).toThrow(
      /7 is higher than the maximum allowable value for the \[DayOfWeek\] field/,
    )
    expect(() => parseNcrontab('0 0 9 * * 7')).toThrow(/DayOfWeek/)
    expect(() => parseNcrontab('0 15 10 L * *')).toThrow()
    expect(() => parseNcrontab('0 0 9 ? * *')).toThrow()
    expect(() => parseNcrontab('0 0 9 * * * 2026')).toThrow(/at least 5 components/)
    expect(() => parseNcrontab('0 60 * * * *')).toThrow(/Minute/)
    expect(() => parseNcrontab('0 0 0 * Foo *')).toThrow(/not a known value name/)
  })

  it('puts a timer whose schedule NCrontab refuses in error, as the host does', () => {
    const timer = { kind: 'timer' as const, name: 'cloudfn-timer', schedule: '0 0 9 * * 5-7' }
    const config = parseHostConfig(new TextEncoder().encode('{"version":"2.0"}'))
    expect(indexFunctions(config, { functions: [timer], bindingTypes: { 'cloudfn-timer': ['timerTrigger'] } })).toEqual({
      functions: [],
      errors: {
        'cloudfn-timer':
          "The schedule expression '0 0 9 * * 5-7' was not recognized as a valid cron expression or timespan string.",
      },
    })
  })
})

describe("the emulator's timer clock", () => {
  it('fires at the times the NCRONTAB schedule gives, seconds included', async () => {
    const clock = createManualClock(Date.parse(MONDAY))
    const fired: string[] = []
    clock.every({
      cron: '* * * * *',
      timezone: 'UTC',
      next: parseNcrontab('*/20 * * * * *').next,
      fire: async (at) => {
        fired.push(at.toISOString())
      },
    })
    expect(await clock.advance(60_000)).toBe(3)
    expect(fired).toEqual(['2026-01-05T00:00:20.000Z', '2026-01-05T00:00:40.000Z', '2026-01-05T00:01:00.000Z'])
  })
})

describe('the neutral cron as NCRONTAB', () => {
  it('writes a weekday range ending in 7 as the days it means, 0–6', () => {
    expect(ncrontabOf(normalizeCron('0 9 * * 5-7', 'cron'))).toBe('0 0 9 * * 0,5,6')
    expect(ncrontabOf(normalizeCron('0 9 * * 1-7/2', 'cron'))).toBe('0 0 9 * * 0,1,3,5')
    expect(ncrontabOf(normalizeCron('0 9 * * SAT-7', 'cron'))).toBe('0 0 9 * * 0,6')
    expect(ncrontabOf('*/5 * * * *')).toBe('0 */5 * * * *')
    expect(ncrontabOf('0 17 * * 1-5')).toBe('0 0 17 * * 1-5')
  })

  it('gives an NCRONTAB the host accepts, firing when the neutral cron does', () => {
    const schedule = ncrontabOf(normalizeCron('0 9 * * 5-7', 'cron'))
    // Friday 9th, Saturday 10th, Sunday 11th, then Friday 16th.
    expect(ticks(schedule, '2026-01-08T12:00:00Z', 4)).toEqual([
      '2026-01-09T09:00:00.000Z',
      '2026-01-10T09:00:00.000Z',
      '2026-01-11T09:00:00.000Z',
      '2026-01-16T09:00:00.000Z',
    ])
  })
})
