import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import type { Artifact } from '../provider.ts'

let root: string | undefined

function unpackRoot(): string {
  if (!root) {
    const dir = mkdtempSync(join(tmpdir(), `cloudfn-unpacked-${process.pid}-`)) // pid: gc removes a killed process's folder
    root = dir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  return root
}

/**
 * Unpacks an uploaded zip as a cloud would, into a temporary folder under
 * `key` (removed when the process exits), refusing entries that point outside
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
  const directory = join(unpackRoot(), key)
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
