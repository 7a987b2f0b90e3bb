/**
 * The neutral 5-field cron (numbers, `*`, `a-b`, `a,b`, `*\/n`, `a-b/n`;
 * Sunday 0) as EventBridge Scheduler's `cron(min hour dom month dow year)`:
 * AWS wants `?` in exactly one of the day fields, counts weekdays 1-7 from
 * Sunday, documents steps only as `start/n`, and has no steps in day-of-week.
 */
const BOUNDS = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
] as const

/** Every value an item of a field matches, from `min` to `max`. */
function expand(item: string, min: number, max: number): number[] {
  const [range = '*', step = '1'] = item.split('/')
  const [from, to] = range === '*' ? [min, max] : range.split('-').map(Number)
  const end = to ?? (item.includes('/') ? max : (from as number))
  const values: number[] = []
  for (let value = from as number; value <= end; value += Number(step)) values.push(value)
  return values
}

function awsField(field: string, min: number, max: number): string {
  return field
    .split(',')
    .map((item) => {
      if (!item.includes('/')) return item
      // `*/n` is AWS's documented `min/n`; a stepped range becomes the list it stands for.
      if (item.startsWith('*/')) return `${min}/${item.slice(2)}`
      return expand(item, min, max).join(',')
    })
    .join(',')
}

/** Day-of-week as AWS numbers (SUN=1 … SAT=7), listed, since AWS has no steps there. */
function awsWeekdays(field: string): string {
  const days = new Set(field.split(',').flatMap((item) => expand(item, 0, 6).map((day) => day % 7)))
  if (days.size === 7) return '*'
  return [...days]
    .sort((a, b) => a - b)
    .map((day) => day + 1)
    .join(',')
}

export function toAwsCron(cron: string): string {
  const [minute = '*', hour = '*', dom = '*', month = '*', dow = '*'] = cron.trim().split(/\s+/)
  const [m, h, d, mo] = [minute, hour, dom, month].map((field, index) => {
    const [min, max] = BOUNDS[index] as readonly [number, number]
    return awsField(field, min, max)
  })
  // The neutral form never restricts both day fields, so one of them can be `?`.
  const weekdays = dow === '*' ? '*' : awsWeekdays(dow)
  return weekdays === '*' ? `cron(${m} ${h} ${d} ${mo} ? *)` : `cron(${m} ${h} ? ${mo} ${weekdays} *)`
}
