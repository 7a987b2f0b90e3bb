/**
 * The conformance inbox: how a fixture handler reports what it received,
 * without going through the code under test (the shape of Auth.js adapter
 * tests, whose probe reads the database itself). A deploy gets its own
 * directory through one environment variable; the handler writes one file
 * per delivery there, the test reads the files. The backend's invoke path,
 * envelope and result decoding play no part, so a backend that hands the
 * handler `null` cannot hide it behind an execution count.
 *
 * The files live on this machine's disk: the local fake (inline or worker)
 * and every emulator run handlers here, in threads or child processes alike.
 * Real clouds run them elsewhere, so their targets offer no inbox and the
 * content checks are reported as skipped there.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The variable that names the deploy's inbox directory (`CLOUDFN_` is reserved for cloudfn itself). */
export const INBOX_ENV = 'CONFORMANCE_INBOX'

/** One delivery as the handler saw it. */
export interface Delivery {
  /** The handler's input, serialised by the handler itself (`undefined` is kept apart from `null`). */
  received: unknown
  /** False when the handler got `undefined` (JSON has no such value; no backend may produce it). */
  defined: boolean
}

/**
 * Handler side: records `input` in the inbox the deploy was given. A no-op
 * where the function was deployed without one. Each delivery is written to a
 * temporary name and renamed, so the test never reads half a file (messages
 * near the size limit are megabytes long).
 */
export function recordDelivery(input: unknown): void {
  const dir = process.env[INBOX_ENV]
  if (!dir) return
  // Named by the monotonic clock (system-wide on Linux, so also across instance processes), zero-padded so names
  // sort in delivery order; two deliveries in one millisecond are still told apart and ordered.
  const id = `${process.hrtime.bigint().toString().padStart(24, '0')}-${randomUUID()}`
  const line = JSON.stringify(input === undefined ? { defined: false } : { defined: true, received: input })
  const partial = join(dir, `${id}.partial`)
  writeFileSync(partial, line)
  renameSync(partial, join(dir, `${id}.json`))
}

/** Test side: one directory per deploy, read back as the deliveries the handler recorded. */
export interface Inbox {
  /** The environment to deploy the recording fixture with (see `withOverrides`). */
  readonly env: Readonly<Record<string, string>>
  /** Every delivery recorded so far, oldest first. */
  deliveries(): Delivery[]
  /** Removes the directory. */
  close(): void
}

/** Where the target's inboxes live; one run's directories share a parent so a crash leaves one place to clean. */
export function createInboxes(): { open(): Inbox; close(): void } {
  const root = mkdtempSync(join(tmpdir(), 'cloudfn-inbox-'))
  let next = 0
  return {
    open() {
      const dir = join(root, String(next++))
      mkdirSync(dir)
      return {
        env: { [INBOX_ENV]: dir },
        deliveries: () =>
          readdirSync(dir)
            .filter((file) => file.endsWith('.json'))
            .sort()
            .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Delivery),
        close: () => rmSync(dir, { recursive: true, force: true }),
      }
    },
    close: () => rmSync(root, { recursive: true, force: true }),
  }
}
