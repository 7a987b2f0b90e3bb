import { readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processAlive } from '../../src/process-alive.ts'
import type { Leftover } from './persistence.ts'

/** `cloudfn-unpacked-<pid>-XXXXXX` (see src/sandbox/artifact-dir.ts), or the older name without the pid. */
const LEGACY_MIN_AGE_MS = 86_400_000
const UNPACKED = /^cloudfn-unpacked-(?:(\d+)-)?[A-Za-z0-9]{6}$/

/**
 * The folders artifacts were unpacked into by processes that are gone. A
 * process removes its own when it exits, but not when it is killed. Folders
 * named before the pid was part of the name may belong to a running process:
 * they are taken only when a day old and as old as `olderThanMs`.
 */
export async function unpackedLeftovers(olderThanMs: number, dir = tmpdir()): Promise<Leftover[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const found: Leftover[] = []
  for (const name of names) {
    const match = UNPACKED.exec(name)
    if (!match) continue
    const path = join(dir, name)
    if (match[1] !== undefined) {
      if (processAlive(Number(match[1]))) continue
    } else {
      const changed = await stat(path).then(
        (info) => info.mtimeMs,
        () => undefined,
      )
      if (changed === undefined || changed > Date.now() - Math.max(olderThanMs, LEGACY_MIN_AGE_MS)) continue
    }
    found.push({ resource: `temp:${path}`, remove: () => rm(path, { recursive: true, force: true }) })
  }
  return found
}
