import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, link, mkdir, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { ConflictError } from '../../src/errors/conflict.ts'
import { processAlive } from '../../src/process-alive.ts'
import type { Artifact, FunctionRecord, LogEntry } from '../../src/provider.ts'
import { createExclusive, lockOwner, tempFileOwner, writeFileAtomic } from './atomic-file.ts'

/** What is kept on disk to bring a deployment back in another process. */
export interface PersistedDeployment {
  record: FunctionRecord
  env: Record<string, string>
  artifact: Artifact
}

/** A folder as found on disk: a usable deployment, nothing, or something a crash or a hand left unusable. */
export type Loaded =
  | { kind: 'deployed'; deployment: PersistedDeployment }
  | { kind: 'missing' }
  | { kind: 'damaged'; reason: string }

/** Something on disk no deployment uses, found by `leftovers()` for `gc`. */
export interface Leftover {
  /** `kind:name`, as gc reports it. */
  resource: string
  remove(): Promise<void>
}

const RECORD_FILE = 'deployment.json'
const LOCK_FILE = '.lock'
const LOGS_FILE = 'logs.jsonl'
/** Written by versions before artifacts were content-addressed; still read, removed on the next deploy. */
const LEGACY_ARTIFACT = 'artifact.zip'
const ARTIFACT_FILE = /^artifact-([0-9a-f]{64})\.zip$/
const artifactFile = (sha256: string) => `artifact-${sha256}.zip`

const LOCK_POLL_MS = 20
/** A hang guard, not a timing assumption: a live holder normally releases within a deploy's time. */
const LOCK_GIVE_UP_MS = 120_000

/**
 * Deployments of the local fake kept in a folder (the CLI uses `.cloudfn/local`),
 * so that `deploy` in one process and `invoke` in the next reach the same
 * function. One folder per function:
 *
 * - `artifact-<sha256>.zip`: the code, named by its hash, written before the record;
 * - `deployment.json` (mode 0600: it holds the env values): record, env and the
 *   artifact's hash. Replacing it (temp file, fsync, rename) is the one commit
 *   point of a deploy, so a process killed at any moment leaves the old
 *   deployment or the new one, never a record beside another version's code;
 * - `.lock`: held by a deploy or remove (its pid inside), so concurrent deploys
 *   of one function take turns; a dead holder's lock is taken over;
 * - `logs.jsonl`.
 *
 * A folder that still cannot be read (a hand edit, a disk fault, an older
 * cloudfn killed mid-write) is `damaged`: it blocks nothing, `deploy` replaces
 * it and `gc` removes it.
 */
export class LocalPersistence {
  readonly #dir: string

  constructor(dir: string) {
    this.#dir = dir
  }

  get directory(): string {
    return this.#dir
  }

  /** Commits a deployment. Call it holding the function's lock (`withLock`). */
  async save(deployment: PersistedDeployment): Promise<void> {
    const dir = join(this.#dir, deployment.record.name)
    await mkdir(dir, { recursive: true })
    const { zip, ...artifact } = deployment.artifact
    const zipFile = join(dir, artifactFile(artifact.sha256))
    if (!(await holdsArtifact(zipFile, artifact.sha256))) await writeFileAtomic(zipFile, zip)
    const saved = JSON.stringify({ record: deployment.record, env: deployment.env, artifact }, null, 2)
    await writeFileAtomic(join(dir, RECORD_FILE), saved, 0o600)
    // Only after the commit: the artifacts of earlier versions.
    for (const name of await readdir(dir)) {
      if (name === LEGACY_ARTIFACT || (ARTIFACT_FILE.test(name) && name !== artifactFile(artifact.sha256))) {
        await rm(join(dir, name), { force: true })
      }
    }
  }

  async load(name: string): Promise<Loaded> {
    const dir = join(this.#dir, name)
    let text: string
    try {
      text = await readFile(join(dir, RECORD_FILE), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'damaged', reason: describe(error) }
      return (await this.#hasRemains(name)) ? { kind: 'damaged', reason: `${RECORD_FILE} is missing` } : { kind: 'missing' }
    }
    let saved: Omit<PersistedDeployment, 'artifact'> & { artifact: Omit<Artifact, 'zip'> }
    try {
      saved = JSON.parse(text)
    } catch (error) {
      return { kind: 'damaged', reason: `${RECORD_FILE} is not valid JSON (${describe(error)})` }
    }
    const problem = shapeProblem(saved, name)
    if (problem) return { kind: 'damaged', reason: `${RECORD_FILE} ${problem}` }
    const zip = (await readZip(join(dir, artifactFile(saved.artifact.sha256)))) ?? (await readZip(join(dir, LEGACY_ARTIFACT)))
    if (!zip || sha256(zip) !== saved.artifact.sha256) {
      return {
        kind: 'damaged',
        reason: `the artifact ${artifactFile(saved.artifact.sha256)} is missing or does not match its hash`,
      }
    }
    return { kind: 'deployed', deployment: { ...saved, artifact: { ...saved.artifact, zip } } }
  }

  /** The functions that have a folder (some may be damaged: see `load`). */
  async names(): Promise<string[]> {
    if (!existsSync(this.#dir)) return []
    const entries = await readdir(this.#dir, { withFileTypes: true })
    // `.removing-*` folders are removals under way, not functions.
    return entries
      .filter(
        (entry) => entry.isDirectory() && !entry.name.startsWith('.') && existsSync(join(this.#dir, entry.name, RECORD_FILE)),
      )
      .map((e) => e.name)
  }

  /** Removes the function's folder. Call it holding the function's lock. */
  async remove(name: string): Promise<void> {
    const dir = join(this.#dir, name)
    // Renamed away first, so no reader ever sees a half-removed folder.
    const gone = join(this.#dir, `.removing-${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      await rename(dir, gone)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    await rm(gone, { recursive: true, force: true })
  }

  /**
   * Runs `task` holding the function's lock: other processes (and other calls
   * in this one) wait. A lock whose holder died (killed mid-deploy) is taken over.
   */
  async withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    const dir = join(this.#dir, name)
    const lock = join(dir, LOCK_FILE)
    const started = Date.now()
    for (;;) {
      await mkdir(dir, { recursive: true })
      let taken: boolean
      try {
        taken = await createExclusive(lock, String(process.pid))
      } catch (error) {
        // The folder was removed between mkdir and the lock (a concurrent remove or gc): try again.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw error
      }
      if (taken) break
      const owner = await lockOwner(lock)
      if (owner !== undefined && !processAlive(owner)) {
        await takeOverStale(lock)
        continue
      }
      if (Date.now() - started > LOCK_GIVE_UP_MS) {
        throw new ConflictError({
          provider: 'local',
          message: `Function '${name}' is being changed by process ${owner ?? '?'} (${lock}); try again when it is done`,
        })
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
    }
    try {
      return await task()
    } finally {
      await unlink(lock).catch(() => undefined)
      // Leaves no empty folder behind (a remove of something never deployed); fails harmlessly when not empty.
      await rmdir(dir).catch(() => undefined)
    }
  }

  async appendLogs(name: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return
    try {
      await appendFile(join(this.#dir, name, LOGS_FILE), entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''))
    } catch (error) {
      // Removed by another process meanwhile: its logs went with it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }

  async logs(name: string): Promise<LogEntry[]> {
    const file = join(this.#dir, name, LOGS_FILE)
    if (!existsSync(file)) return []
    const entries: LogEntry[] = []
    // A line cut short by a killed process is skipped, not fatal to every later read.
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue
      try {
        entries.push(JSON.parse(line) as LogEntry)
      } catch {}
    }
    return entries
  }

  /**
   * What no deployment uses, for `gc`: damaged folders, folders holding only
   * an artifact (a deploy killed before its commit), artifacts no record
   * points at, and temporary files of processes that are gone. A folder whose
   * lock a live process holds is being deployed and is left alone.
   */
  async leftovers(): Promise<Leftover[]> {
    if (!existsSync(this.#dir)) return []
    const found: Leftover[] = []
    for (const entry of await readdir(this.#dir, { withFileTypes: true })) {
      const path = join(this.#dir, entry.name)
      if (!entry.isDirectory()) {
        if (isDeadTemp(entry.name)) found.push({ resource: `temp:${path}`, remove: () => rm(path, { force: true }) })
        continue
      }
      if (entry.name.startsWith('.removing-')) {
        if (isDeadTemp(entry.name))
          found.push({ resource: `temp:${path}`, remove: () => rm(path, { recursive: true, force: true }) })
        continue
      }
      if (await this.#lockedByLiveProcess(entry.name)) continue
      const loaded = await this.load(entry.name)
      if (loaded.kind === 'missing') {
        // Empty, or only a dead process's lock and temporary files.
        found.push({ resource: `temp:${path}`, remove: () => rm(path, { recursive: true, force: true }) })
        continue
      }
      if (loaded.kind === 'damaged') {
        found.push({
          resource: `damaged:${entry.name}`,
          remove: () => this.withLock(entry.name, async () => this.remove(entry.name)),
        })
        continue
      }
      if (loaded.kind !== 'deployed') continue
      const current = artifactFile(loaded.deployment.artifact.sha256)
      // `load` falls back to the legacy name when the hashed one is absent.
      const usesLegacy = !existsSync(join(path, current))
      for (const name of await readdir(path)) {
        const file = join(path, name)
        const unreferenced = (ARTIFACT_FILE.test(name) && name !== current) || (name === LEGACY_ARTIFACT && !usesLegacy)
        if (unreferenced || isDeadTemp(name) || (name === LOCK_FILE && !(await this.#lockedByLiveProcess(entry.name)))) {
          found.push({ resource: `temp:${file}`, remove: () => rm(file, { force: true }) })
        }
      }
    }
    return found
  }

  /**
   * Whether a folder without a record holds what a deploy killed before its
   * commit left (an artifact, say). An empty folder, or one a live deploy
   * holds, is just not deployed yet.
   */
  async #hasRemains(name: string): Promise<boolean> {
    let entries: string[]
    try {
      entries = await readdir(join(this.#dir, name))
    } catch {
      return false
    }
    const remains = entries.filter((entry) => entry !== LOCK_FILE && tempFileOwner(entry) === undefined)
    return remains.length > 0 && !(await this.#lockedByLiveProcess(name))
  }

  async #lockedByLiveProcess(name: string): Promise<boolean> {
    const lock = join(this.#dir, name, LOCK_FILE)
    if (!existsSync(lock)) return false
    const owner = await lockOwner(lock)
    // A lock file not yet readable is being created: treat it as held.
    return owner === undefined || processAlive(owner)
  }
}

/**
 * Takes a dead holder's lock away. Renaming is atomic, so of two processes
 * seeing the same stale lock only one moves it; if what was moved turns out to
 * be a live process's fresh lock (it replaced the stale one in between), it is
 * put back.
 */
async function takeOverStale(lock: string): Promise<void> {
  const aside = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await rename(lock, aside)
  } catch {
    return
  }
  const owner = await lockOwner(aside)
  if (owner !== undefined && processAlive(owner)) await link(aside, lock).catch(() => undefined)
  await unlink(aside).catch(() => undefined)
}

function isDeadTemp(name: string): boolean {
  const owner = tempFileOwner(name)
  return owner !== undefined && !processAlive(owner)
}

async function holdsArtifact(path: string, hash: string): Promise<boolean> {
  const zip = await readZip(path)
  return zip !== undefined && sha256(zip) === hash
}

async function readZip(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path))
  } catch {
    return undefined
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** What is wrong with a parsed record, or undefined when it has every part `load` needs. */
function shapeProblem(saved: unknown, name: string): string | undefined {
  const value = saved as Partial<PersistedDeployment> | null
  if (typeof value !== 'object' || value === null) return 'is not an object'
  if (typeof value.record !== 'object' || value.record === null || value.record.name !== name)
    return `has no record for '${name}'`
  if (typeof value.env !== 'object' || value.env === null || Object.values(value.env).some((v) => typeof v !== 'string')) {
    return 'has no env'
  }
  const artifact = value.artifact as Partial<Artifact> | undefined
  if (typeof artifact?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(artifact.sha256) || typeof artifact.entryFile !== 'string') {
    return 'names no artifact'
  }
  return undefined
}
