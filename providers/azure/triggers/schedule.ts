/**
 * The neutral 5-field cron as the timer trigger's NCRONTAB: a seconds field
 * first, the rest unchanged (both number the days of the week from Sunday = 0).
 * Dependency-free: bundled into artifacts by the shim.
 */
export function ncrontabOf(cron: string): string {
  return `0 ${cron.trim().split(/\s+/).join(' ')}`
}
