/** Side-by-side throughput measurement: only ratios within one run mean something on a shared machine. */

/** Sequential calls per second of `call` for about `ms` milliseconds. */
export async function rate(call: () => Promise<unknown>, ms: number): Promise<number> {
  let count = 0
  const started = performance.now()
  while (performance.now() - started < ms) {
    await call()
    count++
  }
  return count / ((performance.now() - started) / 1000)
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100
}

/**
 * Calls per second of each contender: a warm-up, then rounds interleaved so
 * that a neighbour's burst hits all of them alike, and the median round.
 */
export async function compareRates<K extends string>(
  contenders: Record<K, () => Promise<unknown>>,
  options: { rounds?: number; roundMs?: number } = {},
): Promise<Record<K, number>> {
  const { rounds = 5, roundMs = 400 } = options
  const entries = Object.entries(contenders) as Array<[K, () => Promise<unknown>]>
  const samples = new Map<K, number[]>(entries.map(([name]) => [name, []]))
  for (const [, call] of entries) await rate(call, 100)
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of entries) samples.get(name)?.push(await rate(call, roundMs))
  }
  return Object.fromEntries(entries.map(([name]) => [name, median(samples.get(name) ?? [])])) as Record<K, number>
}
