import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { releaseUnpacked, unpackZip } from './artifact-dir.ts'

describe('unpackZip', () => {
  it('does not write a folder still held again: its instances may be importing those files', async () => {
    const zip = zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = () => 1\n') })
    const first = await unpackZip(zip, 'same-content-key')
    const entry = join(first.directory, 'index.mjs')
    // Stands for a reader in the middle of the file: a second write would truncate it under that reader.
    writeFileSync(entry, 'export const handler = () => "being read"\n')
    const second = await unpackZip(zip, 'same-content-key')
    expect(second.directory).toBe(first.directory)
    expect(readFileSync(entry, 'utf8')).toBe('export const handler = () => "being read"\n')
    releaseUnpacked(first.directory)
    expect(existsSync(entry)).toBe(true)
    releaseUnpacked(second.directory)
    expect(existsSync(first.directory)).toBe(false)
  })
})
