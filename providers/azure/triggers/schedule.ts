/**
 * The neutral 5-field cron as the timer trigger's NCRONTAB: a seconds field
 * first, the rest unchanged, except that NCRONTAB's day of week is 0–6 and
 * refuses 7 (github.com/atifaziz/NCrontab, `CrontabFieldImpl.DayOfWeek`),
 * while the neutral syntax takes 7 as Sunday in ranges (`5-7`): such a field
 * is written out as the list of days it means.
 * Dependency-free: bundled into artifacts by the shim.
 */
export function ncrontabOf(cron: string): string {
  const fields = cron.trim().split(/\s+/)
  const dayOfWeek = fields[4]
  if (dayOfWeek !== undefined && /(^|[^0-9])7($|[^0-9])/.test(dayOfWeek.replace(/\/\d+/g, ''))) {
    fields[4] = weekdays(dayOfWeek)
  }
  return `0 ${fields.join(' ')}`
}

/** A day-of-week field of numbers (`*`, `a`, `a-b`, each with `/n`) as the sorted list of its days, 7 as 0. */
function weekdays(field: string): string {
  const days = new Set<number>()
  for (const item of field.split(',')) {
    const [range = '', step = '1'] = item.split('/')
    const [from, to] = range === '*' ? [0, 7] : range.split('-').map(Number)
    const start = from ?? 0
    const end = to ?? (item.includes('/') ? 7 : start)
    for (let day = start; day <= end; day += Math.max(1, Number(step))) days.add(day % 7)
  }
  return [...days].sort((a, b) => a - b).join(',')
}
