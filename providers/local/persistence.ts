import { existsSync } from 'node:fs'
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Artifact, FunctionRecord, LogEntry } from '../../src/provider.ts'

/** What is kept on disk to bring a deployment back in another process. */
export interface PersistedDeployment {
  record: FunctionRecord
  env: Record<string, string>
  artifact: Artifact
}

/**
 * Deployments of the local fake kept in a folder (the CLI uses `.cloudfn/local`),
 * so that `deploy` in one process and `invoke` in the next reach the same
 * function. One folder per function: its record and env, the artifact, its logs.
 */
export class LocalPersistence {
  readonly #dir: string

  constructor(dir: string) {
    this.#dir = dir
  }

  async save(deployment: PersistedDeployment): Promise<void> {
    const dir = join(this.#dir, deployment.record.name)
    await mkdir(dir, { recursive: true })
    const { zip, ...artifact } = deployment.artifact
    await writeFile(join(dir, 'artifact.zip'), zip)
    await writeFile(
      join(dir, 'deployment.json'),
      JSON.stringify({ record: deployment.record, env: deployment.env, artifact }, null, 2),
    )
  }

  async load(name: string): Promise<PersistedDeployment | undefined> {
    const dir = join(this.#dir, name)
    if (!existsSync(join(dir, 'deployment.json'))) return undefined
    const saved = JSON.parse(await readFile(join(dir, 'deployment.json'), 'utf8')) as Omit<PersistedDeployment, 'artifact'> & {
      artifact: Omit<Artifact, 'zip'>
    }
    const zip = new Uint8Array(await readFile(join(dir, 'artifact.zip')))
    return { ...saved, artifact: { ...saved.artifact, zip } }
  }

  async names(): Promise<string[]> {
    if (!existsSync(this.#dir)) return []
    const entries = await readdir(this.#dir, { withFileTypes: true })
    return entries
      .filter((entry) => entry.isDirectory() && existsSync(join(this.#dir, entry.name, 'deployment.json')))
      .map((e) => e.name)
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.#dir, name), { recursive: true, force: true })
  }

  async appendLogs(name: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return
    await appendFile(join(this.#dir, name, 'logs.jsonl'), entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
  }

  async logs(name: string): Promise<LogEntry[]> {
    const file = join(this.#dir, name, 'logs.jsonl')
    if (!existsSync(file)) return []
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean)
    return lines.map((line) => JSON.parse(line) as LogEntry)
  }
}
