import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { InvalidArgumentError } from '../errors/invalid-argument.ts'

export interface IncludedFile {
  /** Path inside the artifact: the same as below the entry module's folder, with `/`. */
  name: string
  /** Absolute path on this machine. */
  path: string
  bytes: Uint8Array
}

/**
 * The files a definition's `include` globs match below its entry module's
 * folder. A glob that matches nothing, or a file that would replace one the
 * artifact needs (the bundle, a provider's host.json), is refused: either
 * would deploy code that fails only when it reads the file.
 */
export async function includedFiles(
  entry: string,
  patterns: readonly string[],
  reserved: readonly string[],
): Promise<IncludedFile[]> {
  if (patterns.length === 0) return []
  const { glob } = await import('tinyglobby')
  const cwd = dirname(entry)
  const names = new Set<string>()
  for (const [index, pattern] of patterns.entries()) {
    const matched = await glob(pattern, { cwd, onlyFiles: true, dot: false, expandDirectories: true, followSymbolicLinks: true })
    if (matched.length === 0) {
      throw new InvalidArgumentError({
        field: `include[${index}]`,
        message: `include[${index}] ${JSON.stringify(pattern)} matches no file below ${cwd}`,
      })
    }
    for (const name of matched) names.add(name)
  }
  const files: IncludedFile[] = []
  for (const name of [...names].sort()) {
    if (reserved.includes(name)) {
      throw new InvalidArgumentError({
        field: 'include',
        message: `include matches ${name}, which the artifact already holds (the bundle or the provider's own file); rename or exclude it`,
      })
    }
    const path = join(cwd, name)
    files.push({ name, path, bytes: new Uint8Array(await readFile(path)) })
  }
  return files
}
