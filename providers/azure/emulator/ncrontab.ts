/**
 * NCRONTAB as the timer trigger reads it. The WebJobs timer extension
 * (Azure/azure-webjobs-sdk-extensions, `CronSchedule.TryCreate`) parses the
 * schedule with the NCrontab library (github.com/atifaziz/NCrontab,
 * `CrontabField`/`CrontabFieldImpl`/`CrontabSchedule`); its rules, ported:
 * - six fields (second minute hour day month day-of-week), or five without
 *   the seconds; day of week is 0–6 (Sunday 0): `7` is out of range;
 * - each field is a comma list of `*`, `n`, `a-b`, each with an optional
 *   `/step`; `n/step` runs from n to the field's maximum; a backwards range
 *   `5-1` is swapped; a step below 1 counts as 1;
 * - month and weekday names match by case-insensitive prefix of the full
 *   English name, the first that fits (`Jan`, `january`, `Mon`, `T` = Tuesday);
 * - a time matches when every field matches, day of month AND day of week
 *   (unlike Vixie cron's OR);
 * - times are UTC (WEBSITE_TIME_ZONE is not supported on Linux).
 */

interface FieldRule {
  kind: string
  min: number
  max: number
  names?: readonly string[]
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

const SECOND: FieldRule = { kind: 'Second', min: 0, max: 59 }
const FIELDS: readonly FieldRule[] = [
  { kind: 'Minute', min: 0, max: 59 },
  { kind: 'Hour', min: 0, max: 23 },
  { kind: 'Day', min: 1, max: 31 },
  { kind: 'Month', min: 1, max: 12, names: MONTHS },
  { kind: 'DayOfWeek', min: 0, max: 6, names: DAYS },
]

export class NcrontabError extends Error {
  override name = 'NcrontabError'
}

function parseValue(text: string, rule: FieldRule): number {
  if (text.length === 0) throw new NcrontabError('A crontab field value cannot be empty.')
  if (/^[0-9]/.test(text)) {
    // .NET int.Parse: digits only.
    if (!/^[0-9]+$/.test(text)) throw new NcrontabError(`'${text}' is not a valid [${rule.kind}] crontab field value.`)
    return Number(text)
  }
  if (!rule.names) {
    throw new NcrontabError(
      `'${text}' is not a valid [${rule.kind}] crontab field value. It must be a numeric value between ${rule.min} and ${rule.max} (all inclusive).`,
    )
  }
  const index = rule.names.findIndex((name) => name.toLowerCase().startsWith(text.toLowerCase()))
  if (index < 0)
    throw new NcrontabError(`'${text}' is not a known value name. Use one of the following: ${rule.names.join(', ')}.`)
  return index + rule.min
}

function outOfRange(value: number, rule: FieldRule): NcrontabError {
  const side = value < rule.min ? 'lower than the minimum' : 'higher than the maximum'
  return new NcrontabError(
    `${value} is ${side} allowable value for the [${rule.kind}] field. Value must be between ${rule.min} and ${rule.max} (all inclusive).`,
  )
}

/** `CrontabField.Accumulate`: marks start..end by interval; -1 means the field's bound. */
function accumulate(values: Set<number>, rule: FieldRule, from: number, to: number, interval: number): void {
  let start = from
  let end = to
  if (start === end) {
    if (start < 0) {
      start = rule.min
      end = rule.max
    } else if (start < rule.min || start > rule.max) {
      throw outOfRange(start, rule)
    }
  } else {
    if (start > end) [start, end] = [end, start]
    if (start < 0) start = rule.min
    else if (start < rule.min) throw outOfRange(start, rule)
    if (end < 0) end = rule.max
    else if (end > rule.max) throw outOfRange(end, rule)
  }
  const step = Math.max(1, interval)
  for (let value = start; value <= end; value += step) values.add(value)
}

function parseField(text: string, rule: FieldRule): Set<number> {
  const values = new Set<number>()
  for (const item of text.split(',')) {
    let rest = item
    let every: number | undefined
    const slash = rest.indexOf('/')
    if (slash > 0) {
      const step = rest.slice(slash + 1)
      if (!/^[0-9]+$/.test(step)) throw new NcrontabError(`'${item}' is not a valid [${rule.kind}] crontab field expression.`)
      every = Number(step)
      rest = rest.slice(0, slash)
    }
    if (rest === '*') {
      accumulate(values, rule, -1, -1, every ?? 1)
      continue
    }
    const dash = rest.indexOf('-')
    if (dash > 0) {
      accumulate(values, rule, parseValue(rest.slice(0, dash), rule), parseValue(rest.slice(dash + 1), rule), every ?? 1)
      continue
    }
    const value = parseValue(rest, rule)
    if (every === undefined) accumulate(values, rule, value, value, 1)
    else accumulate(values, rule, value, rule.max, every)
  }
  return values
}

export interface NcrontabSchedule {
  readonly seconds: ReadonlySet<number>
  readonly minutes: ReadonlySet<number>
  readonly hours: ReadonlySet<number>
  readonly days: ReadonlySet<number>
  readonly months: ReadonlySet<number>
  readonly daysOfWeek: ReadonlySet<number>
  /** The first occurrence strictly after `after` (ms since the epoch), or undefined if none within 30 years. */
  next(after: number): number | undefined
}

/** Parses an NCRONTAB expression as the timer trigger does; throws NcrontabError as the host refuses it. */
export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression.trim().split(/\s+/)
  if (parts.length !== 5 && parts.length !== 6) {
    throw new NcrontabError(
      `'${expression}' is not a valid crontab expression. It must contain at least 5 components of a schedule (in the sequence of seconds, minutes, hours, days, months, and days-of-week).`,
    )
  }
  const withSeconds = parts.length === 6
  const seconds = withSeconds ? parseField(parts[0] as string, SECOND) : new Set([0])
  const [minutes, hours, days, months, daysOfWeek] = FIELDS.map((rule, index) =>
    parseField(parts[index + (withSeconds ? 1 : 0)] as string, rule),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  return {
    seconds,
    minutes,
    hours,
    days,
    months,
    daysOfWeek,
    next(after) {
      let t = new Date(Math.floor(after / 1000) * 1000 + 1000)
      const limit = after + 30 * 366 * 86_400_000
      while (t.getTime() <= limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1))
        } else if (!days.has(t.getUTCDate()) || !daysOfWeek.has(t.getUTCDay())) {
          t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1))
        } else if (!hours.has(t.getUTCHours())) {
          t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1))
        } else if (!minutes.has(t.getUTCMinutes())) {
          t = new Date(t.getTime() - t.getUTCSeconds() * 1000 + 60_000)
        } else if (!seconds.has(t.getUTCSeconds())) {
          t = new Date(t.getTime() + 1000)
        } else {
          return t.getTime()
        }
      }
      return undefined
    },
  }
}
