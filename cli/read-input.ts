import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { UsageError } from './exit-codes.ts'

/** `--data`: JSON text, or `@file` to read it from a file; null when absent. */
export async function readInput(data: string | undefined, cwd: string): Promise<unknown> {
  if (data === undefined) return null
  const text = data.startsWith('@')
    ? await readFile(resolve(cwd, data.slice(1)), 'utf8').catch(() => {
        throw new UsageError(`--data ${data}: cannot read that file`)
      })
    : data
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`--data must be JSON (got ${JSON.stringify(text.slice(0, 40))}); quote strings: --data '"text"'`)
  }
}
