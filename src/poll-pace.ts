/**
 * How long to wait before each re-poll of something that is becoming ready
 * (a function going Active, a long-running operation, a deployment).
 *
 * The first re-poll comes after FIRST_POLL_MS and the wait doubles up to the
 * provider's `pollIntervalMs`, which it then keeps. A real cloud takes seconds
 * to minutes, so this costs it a handful of cheap status reads in the first
 * second and nothing after; an emulator (or a cloud that is quick this time)
 * is seen ready after tens of milliseconds instead of one full interval. That
 * interval was most of an emulated deploy's time: bench/deploy-emulated.ts
 * measured 1.0 s of each 1.1 s GCP deploy and 4 s of each 6 s Azure deploy
 * asleep between two polls of an operation that had already finished.
 */
export const FIRST_POLL_MS = 25

/** The waits before re-poll 1, 2, 3, ...: FIRST_POLL_MS doubling up to `intervalMs`, then `intervalMs` for ever. */
export function pollPace(intervalMs: number): () => number {
  let next = Math.min(FIRST_POLL_MS, intervalMs)
  return () => {
    const wait = next
    next = Math.min(next * 2, intervalMs)
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
