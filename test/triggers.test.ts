import { Cron } from 'croner'
import { describe, expect, it } from 'vitest'
import { createCloud, defineFunction, http, queue, queueNames, schedule, withOverrides } from '../src/index.ts'
import type { TriggerCapabilities } from '../src/provider.ts'
import { createMockProvider } from '../src/testing/index.ts'
import { checkTriggerSupport } from '../src/triggers/check.ts'
import { invalidField } from './fixtures/invalid-field.ts'

describe('schedule()', () => {
  it.each([
    ['rate(1 minute)', '* * * * *'],
    ['rate(5 minutes)', '*/5 * * * *'],
    ['rate(1 hour)', '0 * * * *'],
    ['rate(6 hours)', '0 */6 * * *'],
    ['rate(60 minutes)', '0 * * * *'],
    ['rate(24 hours)', '0 0 * * *'],
    ['rate(1 day)', '0 0 * * *'],
    ['0 9 * * MON-FRI', '0 9 * * 1-5'],
    ['0 0 1 jan,jul *', '0 0 1 1,7 *'],
    ['15 */2 * * 7', '15 */2 * * 0'],
    ['0-30/10 8-18/2 * * *', '0-30/10 8-18/2 * * *'],
  ])('normalizes %s to %s', (expression, cron) => {
    expect(schedule(expression).cron).toBe(cron)
  })

  it('keeps what the user wrote and defaults to UTC', () => {
    expect(schedule(' rate(5 minutes) ')).toEqual({
      kind: 'schedule',
      expression: 'rate(5 minutes)',
      cron: '*/5 * * * *',
      timezone: 'UTC',
    })
  })

  it('canonicalizes the time zone name', () => {
    expect(schedule('0 9 * * *', { timezone: 'europe/paris' }).timezone).toBe('Europe/Paris')
  })

  it.each([
    ['60 * * * *', 'minute'],
    ['* 24 * * *', 'hour'],
    ['* * 0 * *', 'day-of-month'],
    ['* * * 13 *', 'month'],
    ['* * * * 8', 'day-of-week'],
    ['*/0 * * * *', 'step /0'],
    ['5/10 * * * *', 'a step needs'],
    ['0 9 L * *', 'has "L" in its day-of-month field'],
    ['0 9 * * 1#2', 'not portable'],
    ['0 9 * *', 'has 4'],
    ['0 9 1 * 1', 'both day-of-month and day-of-week'],
    ['rate(7 minutes)', 'divisor of 60'],
    ['rate(5 hours)', 'divisor of 24'],
    ['rate(2 days)', 'must be 1'],
  ])('rejects %s (%s)', (expression, reason) => {
    expect(() => schedule(expression)).toThrow(reason)
    expect(invalidField(() => schedule(expression))).toBe('trigger.schedule')
  })

  it('rejects unknown options and time zones, naming the field', () => {
    expect(invalidField(() => schedule('0 9 * * *', { timezone: 'Nowhere/Town' }))).toBe('trigger.timezone')
    expect(invalidField(() => schedule('0 9 * * *', { tz: 'UTC' } as never))).toBe('trigger.tz')
  })

  it('fires, read by croner in the time zone, where the neutral meaning says', () => {
    const { cron, timezone } = schedule('30 9 * * MON', { timezone: 'Asia/Kolkata' })
    const next = new Cron(cron, { timezone, paused: true }).nextRun(new Date('2026-01-01T00:00:00Z'))
    // Monday 5 January 2026, 09:30 IST = 04:00 UTC.
    expect(next?.toISOString()).toBe('2026-01-05T04:00:00.000Z')
  })
})

describe('http()', () => {
  it('defaults to IAM auth and every method', () => {
    expect(http()).toEqual({ kind: 'http', auth: 'iam', methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] })
  })

  it('upper-cases methods and keeps a canonical order', () => {
    expect(http({ auth: 'public', methods: ['post' as never, 'GET', 'post' as never] }).methods).toEqual(['GET', 'POST'])
  })

  it('is frozen data', () => {
    expect(Object.isFrozen(http())).toBe(true)
    expect(Object.isFrozen(http().methods)).toBe(true)
  })
})

describe('queue()', () => {
  it('has defaults and derives the queue names from the function name', () => {
    const trigger = queue()
    expect(trigger).toEqual({ kind: 'queue', name: undefined, batchSize: 1, maxRetries: 4, deadLetter: undefined })
    expect(queueNames(trigger, 'orders')).toEqual({ queue: 'orders', deadLetter: 'orders-dead-letter' })
    expect(queueNames(queue({ name: 'jobs', deadLetter: 'failed-jobs' }), 'orders')).toEqual({
      queue: 'jobs',
      deadLetter: 'failed-jobs',
    })
  })
})

describe('rate() output', () => {
  it('is itself valid neutral cron for every accepted rate', () => {
    const rates = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60].map((n) => `rate(${n} minutes)`)
    rates.push(...[1, 2, 3, 4, 6, 8, 12, 24].map((n) => `rate(${n} hours)`), 'rate(1 day)')
    for (const rate of rates) {
      const { cron } = schedule(rate)
      expect(schedule(cron).cron, rate).toBe(cron)
    }
  })
})

describe('queue() dead letters', () => {
  it('refuses a dead-letter queue that is the queue itself', async () => {
    expect(invalidField(() => queue({ name: 'jobs', deadLetter: 'jobs' }))).toBe('trigger.deadLetter')
    // Without a name the queue is the deployed function's name, known only at deploy.
    const provider = createMockProvider()
    const jobs = defineFunction({ name: 'jobs', trigger: queue({ deadLetter: 'jobs' }), handler: () => 1 })
    await expect(createCloud(provider).deploy(jobs)).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'trigger.deadLetter',
    })
    await expect(createCloud(provider).deploy(jobs, { name: 'other' })).resolves.toMatchObject({ status: 'created' })
    expect(provider.calls.map(([method]) => method)).toEqual(['doDeploy'])
  })
})

describe('trigger in definitions', () => {
  const handler = (request: Request) => new Response(request.url)

  it('carries the trigger and types an HTTP handler as Request -> Response', () => {
    const web = defineFunction({ name: 'web', trigger: http({ auth: 'public' }), handler })
    expect(web.trigger?.kind).toBe('http')
    expect(defineFunction({ name: 'plain', handler: () => 1 }).trigger).toBeUndefined()
  })

  it('takes only triggers built by http(), schedule() or queue(), whose checks a look-alike would skip', () => {
    const lookAlike = Object.freeze({ ...schedule('rate(1 hour)'), cron: 'not cron' })
    expect(invalidField(() => defineFunction({ name: 'job', trigger: lookAlike, handler: () => 1 }))).toBe('trigger')
    expect(
      invalidField(() => defineFunction({ name: 'job', trigger: Object.freeze({ kind: 'queue' }) as never, handler: () => 1 })),
    ).toBe('trigger')
    expect(JSON.stringify(queue())).toBe('{"kind":"queue","batchSize":1,"maxRetries":4}')
  })

  it('lets withOverrides change a trigger of the same shape only', () => {
    const web = defineFunction({ name: 'web', trigger: http({ auth: 'public' }), handler })
    expect(withOverrides(web, { trigger: http({ auth: 'key' }) }).trigger).toMatchObject({ auth: 'key' })
    expect(invalidField(() => withOverrides(web, { trigger: queue() }))).toBe('overrides.trigger')
    const job = defineFunction({ name: 'job', trigger: queue(), handler: () => 1 })
    expect(withOverrides(job, { trigger: schedule('rate(1 hour)') }).trigger?.kind).toBe('schedule')
  })
})

describe('checkTriggerSupport', () => {
  const offered: TriggerCapabilities = {
    http: { auth: ['public', 'iam'] },
    schedule: { timezones: false },
    queue: { maxBatchSize: 1, maxRetries: { min: 4, max: 99 }, namedDeadLetter: false, maxMessageBytes: 1000 },
  }
  const check = (trigger: Parameters<typeof checkTriggerSupport>[0], triggers = offered) =>
    invalidField(() => checkTriggerSupport(trigger, triggers, 'cloudy'))

  it('accepts what the provider offers', () => {
    expect(check(http({ auth: 'public' }))).toBeUndefined()
    expect(check(schedule('rate(1 hour)'))).toBeUndefined()
    expect(check(queue())).toBeUndefined()
  })

  it('names the field a provider cannot honour', () => {
    expect(check(http({ auth: 'key' }))).toBe('trigger.auth')
    expect(check(schedule('0 9 * * *', { timezone: 'Europe/Paris' }))).toBe('trigger.timezone')
    expect(check(queue({ batchSize: 2 }))).toBe('trigger.batchSize')
    expect(check(queue({ maxRetries: 3 }))).toBe('trigger.maxRetries')
    expect(check(queue({ deadLetter: 'elsewhere' }))).toBe('trigger.deadLetter')
    expect(check(queue(), {})).toBe('trigger')
    expect(() => checkTriggerSupport(http(), {}, 'cloudy')).toThrow('cloudy offers no http trigger (offered: none)')
  })
})
