import { Cron } from 'croner'
import { describe, expect, it } from 'vitest'
import { schedule } from '../../../src/triggers/schedule.ts'
import { clockCron } from '../emulator/scheduler.ts'
import { toAwsCron } from './cron.ts'

const awsOf = (expression: string) => toAwsCron(schedule(expression).cron)

describe('neutral cron → EventBridge Scheduler cron()', () => {
  it.each([
    ['rate(5 minutes)', 'cron(0/5 * * * ? *)'],
    ['rate(2 hours)', 'cron(0 0/2 * * ? *)'],
    ['30 9 * * *', 'cron(30 9 * * ? *)'],
    ['0 9 1,15 * *', 'cron(0 9 1,15 * ? *)'],
    // Weekdays count from SUN=1 on AWS, and the day-of-month becomes `?`.
    ['0 9 * * MON-FRI', 'cron(0 9 ? * 2,3,4,5,6 *)'],
    ['0 0 * * SUN', 'cron(0 0 ? * 1 *)'],
    ['0 0 * * 7', 'cron(0 0 ? * 1 *)'],
    ['0 0 * * 5-7', 'cron(0 0 ? * 1,6,7 *)'],
    // AWS has no steps in day-of-week; a list says the same.
    ['0 0 * * */2', 'cron(0 0 ? * 1,3,5,7 *)'],
    ['0 0 * * 0-6', 'cron(0 0 * * ? *)'],
    // A stepped range becomes its list; `*/n` is AWS's documented `start/n`.
    ['10-30/10 * * * *', 'cron(10,20,30 * * * ? *)'],
    ['0 0 */10 * *', 'cron(0 0 1/10 * ? *)'],
  ])('%s → %s', (expression, expected) => {
    expect(awsOf(expression)).toBe(expected)
  })

  it('reads back in the emulator as the same schedule', () => {
    for (const expression of ['rate(5 minutes)', '0 9 * * MON-FRI', '0 0 * * */2', '0 0 */10 * *', '30 9 * * *']) {
      const neutral = schedule(expression).cron
      const next = (cron: string) =>
        new Cron(cron, { timezone: 'UTC', paused: true }).nextRuns(20, new Date(Date.UTC(2026, 0, 1))).map(Number)
      expect(next(clockCron(toAwsCron(neutral)))).toEqual(next(neutral))
    }
  })
})
