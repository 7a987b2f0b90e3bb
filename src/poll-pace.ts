/**
 * How long to wait before each re-poll of something that is becoming ready
 * (a function going Active, a long-running operation, a deployment).
 *
 * The first re-poll comes after FIRST_POLL_MS and each wait is POLL_GROWTH
 * times the last, up to the provider's `pollIntervalMs`, which it then keeps.
 * A real cloud takes seconds to minutes, so this costs it about a dozen cheap
 * status reads in the first three seconds and nothing after; an emulator (or
 * a cloud that is quick this time) is seen ready after tens of milliseconds
 * instead of one full interval. That interval was most of an emulated
 * deploy's time: bench/deploy-emulated.ts measured 1.0 s of each 1.1 s GCP
 * deploy and 4 s of each 6 s Azure deploy asleep between two polls of an
 * operation that had already finished.
 *
 * Why 10 ms and ×1.5 rather than 25 ms and ×2: an emulated operation ends when
 * its first instance has started (100–150 ms on a quiet machine), and a poll
 * arrives up to (growth − 1) × the time already waited after that. Doubling
 * from 25 ms polled at 25, 75, 175 ms and saw a 130 ms start at 175 ms plus
 * the requests' own time, which put GCP deploys just over 200 ms
 * (docs/PERFORMANCE.md); ×1.5 polls at 10, 25, 48, 83, 136, 216 ms.
 */
export const FIRST_POLL_MS = 10
/** Each wait is this many times the last, up to the interval. */
export const POLL_GROWTH = 1.5

/** The waits before re-poll 1, 2, 3, ...: FIRST_POLL_MS growing by POLL_GROWTH up to `intervalMs`, then `intervalMs` for ever. */
export function pollPace(intervalMs: number): () => number {
  let next = Math.min(FIRST_POLL_MS, intervalMs)
  return () => {
    const wait = next
    next = Math.min(Math.round(next * POLL_GROWTH), intervalMs)
    return wait
  }
}

/**
 * Re-polls that `pollPace` adds before the first full interval has passed:
 * what a caller using a poller with a fixed interval (Azure's core-lro) polls
 * on its own before handing over to that poller.
 */
export function fastPolls(intervalMs: number): number[] {
  const waits: number[] = []
  const pace = pollPace(intervalMs)
  let total = 0
  for (;;) {
    const wait = pace()
    if (wait >= intervalMs || total + wait > intervalMs) return waits
    waits.push(wait)
    total += wait
  }
}
