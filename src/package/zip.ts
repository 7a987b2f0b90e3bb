import type { Zippable } from 'fflate'

// The earliest time a zip (DOS) timestamp can hold; fixed so equal files give equal bytes.
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z')
// Unix regular file, rw-r--r--, in the high 16 bits of the external attributes.
const FILE_ATTRS = 0o100644 << 16

/** Zips files deterministically: sorted names, fixed times and permissions. */
export async function deterministicZip(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  // Loaded on first use, like esbuild: most processes never package.
  const { zipSync } = await import('fflate')
  const zippable: Zippable = {}
  for (const name of Object.keys(files).sort()) {
    zippable[name] = [files[name] as Uint8Array, { mtime: FIXED_MTIME, os: 3, attrs: FILE_ATTRS, level: 9 }]
  }
  return zipSync(zippable)
}
