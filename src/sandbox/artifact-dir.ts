import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import type { Artifact } from '../provider.ts'

let root: string | undefined
let exitHook = false

function unpackRoot(): string {
  if (!root) {
    root = mkdtempSync(join(tmpdir(), `cloudfn-unpacked-${process.pid}-`)) // pid: gc removes a killed process's folder
    if (!exitHook) {
      exitHook = true
      // One hook for whichever root is current (a released root is already gone).
      process.once('exit', () => {
        if (root) removeQuietly(root)
      })
    }
  }
  return root
}

/**
 * Unpacks not yet released, per folder. A process killed outright runs no
 * exit hook (a test runner ends its workers so), so an emulator releases what
 * it unpacked once the instances running it are gone, instead of leaving it in
 * the temporary folder until the process exits.
 */
const holders = new Map<string, number>()

/**
 * Gives back one `unpackZip` / `unpackArtifact` of `directory`: the folder is
 * removed when no unpack of it is left, and the process's root with the last.
 * Unknown folders are left alone.
 */
export function releaseUnpacked(directory: string): void {
  const count = holders.get(directory)
  if (count === undefined) return
  if (count > 1) {
    holders.set(directory, count - 1)
    return
  }
  holders.delete(directory)
  removeQuietly(directory)
  if (holders.size === 0 && root) {
    removeQuietly(root)
    root = undefined
  }
}

/**
 * Removes a temporary folder or file, ignoring failure: cleanup runs after
 * the work (often from a promise nobody awaits), and a folder another process
 * still holds (EBUSY on Windows, a spawned process's working directory) must
 * not turn finished work into an error or an unhandled rejection.
 */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true })
  } catch {
    // Left for the OS's temporary-folder cleanup (or `cloudfn gc` for the local fake's).
  }
}

/**
 * Unpacks an uploaded zip as a cloud would, into a temporary folder under
 * `key` (removed by `releaseUnpacked`, or when the process exits), refusing entries that point outside
 * it. Returns the folder and the files by name. Throws on a corrupt zip.
 */
export async function unpackZip(zip: Uint8Array, key: string): Promise<{ directory: string; files: Record<string, Uint8Array> }> {
  const { unzipSync } = await import('fflate')
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(zip)
  } catch {
    throw new Error('The package is not a valid zip file.')
  }
  // In the same synchronous stretch as the writes: a release cannot remove the folder in between.
  const directory = join(unpackRoot(), key)
  const held = holders.get(directory) ?? 0
  holders.set(directory, held + 1)
  // Keys name the content: a folder still held is already unpacked, and writing it again would truncate files
  // that its running instances may be importing at that moment (an empty index.mjs: "handler is undefined").
  if (held > 0) return { directory, files }
  for (const [name, bytes] of Object.entries(files)) {
    const target = resolve(directory, name)
    if (!target.startsWith(directory + sep)) throw new Error(`The package holds a path outside its root: ${name}`)
    if (name.endsWith('/')) continue
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, bytes)
  }
  return { directory, files }
}

/** Unpacks a cloudfn artifact and returns the path of its entry file. */
export async function unpackArtifact(artifact: Artifact): Promise<string> {
  const { directory } = await unpackZip(artifact.zip, artifact.sha256)
  return join(directory, artifact.entryFile)
}
