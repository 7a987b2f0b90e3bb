import { fail } from '../validation.ts'

/**
 * The neutral cron syntax: five fields (minute hour day-of-month month
 * day-of-week) of numbers, `*`, ranges `a-b`, lists `a,b` and steps `*\/n`,
 * `a-b/n`, with month and weekday names allowed. It is what AWS
 * (EventBridge), Cloud Scheduler (unix-cron) and Azure (NCRONTAB) can all
 * express with the same meaning; their extensions (`L`, `W`, `#`, `?`,
 * seconds, years) are not portable and are rejected.
 */
interface FieldRule {
  name: string
  min: number
  max: number
  names?: readonly string[]
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  // 7 is accepted as Sunday, as unix cron does, and normalized to 0.
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
]

const ITEM = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/

function fieldValue(text: string, rule: FieldRule, field: string, expression: string): number {
  const named = rule.names?.indexOf(text.toUpperCase()) ?? -1
  // Month names count from 1 (JAN), weekday names from 0 (SUN).
  if (named >= 0) return rule.name === 'month' ? named + 1 : named
  if (!/^\d+$/.test(text) || Number(text) < rule.min || Number(text) > rule.max) {
    const names = rule.names ? ` or ${rule.names[0]}-${rule.names.at(-1)}` : ''
    fail(
      field,
      `has ${JSON.stringify(text)} in its ${rule.name} field of "${expression}" (allowed: ${rule.min}-${rule.max}${names})`,
    )
  }
  return Number(text)
}

function normalizeField(text: string, rule: FieldRule, field: string, expression: string): string {
  const items = text.split(',').map((item) => {
    const match = ITEM.exec(item)
    if (!match) {
      fail(
        field,
        `has ${JSON.stringify(item)} in its ${rule.name} field of "${expression}"; use numbers, *, a-b, a,b or */n (L, W, #, ? and seconds are not portable)`,
      )
    }
    const [, range = '', step] = match
    if (step !== undefined && (Number(step) < 1 || Number(step) > rule.max)) {
      fail(field, `has step /${step} in its ${rule.name} field of "${expression}" (allowed: 1-${rule.max})`)
    }
    const suffix = step === undefined ? '' : `/${Number(step)}`
    if (range === '*') return `*${suffix}`
    const [from = '', to] = range.split('-')
    const start = fieldValue(from, rule, field, expression)
    if (to === undefined) {
      if (step !== undefined)
        fail(field, `has "${item}" in "${expression}"; a step needs * or a range before it (e.g. */${step})`)
      return String(rule.name === 'day-of-week' && start === 7 ? 0 : start)
    }
    const end = fieldValue(to, rule, field, expression)
    if (end < start) fail(field, `has the backwards range "${item}" in its ${rule.name} field of "${expression}"`)
    return `${start}-${end}${suffix}`
  })
  return items.join(',')
}

/** Checks a 5-field cron expression and returns it with numbers only (names resolved, Sunday as 0). */
export function normalizeCron(expression: string, field: string): string {
  const parts = expression.trim().split(/\s+/)
  if (parts.length !== 5) {
    fail(
      field,
      `must be rate(<n> minutes|hours|day) or a cron expression of 5 fields (minute hour day-of-month month day-of-week); "${expression}" has ${parts.length}`,
    )
  }
  const normalized = parts.map((part, index) => normalizeField(part, FIELDS[index] as FieldRule, field, expression))
  if (normalized[2] !== '*' && normalized[4] !== '*') {
    fail(
      field,
      `restricts both day-of-month and day-of-week in "${expression}"; clouds combine the two differently, so restrict only one (use * for the other)`,
    )
  }
  return normalized.join(' ')
}

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/

/**
 * `rate(n unit)` as cron. Cloud Scheduler and Azure have no rate syntax and
 * fire on clock boundaries, so rates fire on those boundaries everywhere:
 * minutes must divide an hour, hours a day.
 */
export function rateToCron(expression: string, field: string): string | undefined {
  const match = RATE.exec(expression.trim())
  if (!match) return undefined
  const amount = Number(match[1])
  const unit = (match[2] as string).replace(/s$/, '')
  const divides = (whole: number) => amount >= 1 && whole % amount === 0
  // A whole hour or day is written without a step: `*/60` and `*/24` are out of their fields' ranges.
  if (unit === 'minute' && divides(60)) return amount === 1 ? '* * * * *' : amount === 60 ? '0 * * * *' : `*/${amount} * * * *`
  if (unit === 'hour' && divides(24)) return amount === 1 ? '0 * * * *' : amount === 24 ? '0 0 * * *' : `0 */${amount} * * *`
  if (unit === 'day' && amount === 1) return '0 0 * * *'
  const allowed = { minute: 'a divisor of 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)', hour: 'a divisor of 24', day: '1' }
  return fail(
    field,
    `"${expression}" cannot fire on the same instants on every cloud: the ${unit} count must be ${allowed[unit as keyof typeof allowed]}; use a cron expression for other times`,
  )
}
