import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Artifact } from '../../src/provider.ts'

let root: string | undefined

/**
 * Unpacks an uploaded artifact as a cloud would, into a temporary folder
 * named after its hash, and returns the path of its entry file. The folder
 * is removed when the process exits.
 */
export async function unpackArtifact(artifact: Artifact): Promise<string> {
  const { unzipSync } = await import('fflate')
  if (!root) {
    const dir = mkdtempSync(join(tmpdir(), 'cloudfn-local-'))
    root = dir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  const dir = join(root, artifact.sha256)
  mkdirSync(dir, { recursive: true })
  for (const [name, bytes] of Object.entries(unzipSync(artifact.zip))) writeFileSync(join(dir, name), bytes)
  return join(dir, artifact.entryFile)
}
