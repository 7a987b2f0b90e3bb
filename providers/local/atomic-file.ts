import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, rm, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Temporary files are named `<target>.<pid>.<random>.tmp`, so that `gc` can
 * tell those of a killed process (its pid is gone) from those being written.
 */
const TEMP_NAME = /\.(\d+)\.[0-9a-f]+\.tmp$/

export function tempFileOwner(name: string): number | undefined {
  const match = TEMP_NAME.exec(name)
  return match ? Number(match[1]) : undefined
}

function tempPath(target: string): string {
  return join(dirname(target), `${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
}

/** Writes a new file fully and to disk; the caller renames or links it into place. */
async function writeDurable(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Makes a rename durable: the directory entry itself is flushed (POSIX; a no-op where directories cannot be opened). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Windows cannot fsync a directory; rename is still atomic there.
  }
}

/**
 * Replaces `target` with `data` atomically: readers (and a process killed at
 * any point) see the old file or the new one, never a truncated one.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temp = tempPath(target)
  try {
    await writeDurable(temp, data, mode)
    await rename(temp, target)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
  await syncDirectory(dirname(target))
}

/**
 * Takes `target` as a lock: the file appears (with this pid in it) in one step
 * or not at all, and only if nobody holds it. Returns false when it is held.
 */
export async function createExclusive(target: string, content: string): Promise<boolean> {
  const temp = tempPath(target)
  await writeDurable(temp, content, 0o600)
  try {
    await link(temp, target)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}

/** The pid written in a lock file, or undefined when it cannot be read. */
export async function lockOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}
