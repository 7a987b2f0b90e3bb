import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { packageFile } from '../../../src/package/package-root.ts'
import { releaseUnpacked, unpackArtifact } from '../../../src/sandbox/artifact-dir.ts'
import { compileHostScript } from '../../../src/sandbox/host-script.ts'
import { createProcessSandbox, type Sandbox } from '../../../src/sandbox/process-sandbox.ts'
import { frameworkDir } from './framework.ts'
import type { HostData } from './host.ts'
import type { HostMessage, HostReply } from './protocol.ts'
import { runtimeEnv } from './runtime-env.ts'

/** One deployed revision: its unpacked code running in worker instances. */
export interface Revision {
  id: string
  /** The unpacked source (FUNCTION_SOURCE) and the environment its instances get. */
  sourceDir: string
  env: Readonly<Record<string, string>>
  sandbox: Sandbox<HostMessage, HostReply>
  memoryMb: number
  timeoutSec: number
}

export interface RevisionSpec {
  service: string
  zip: Uint8Array
  entryPoint: string
  env: Record<string, string>
  memoryMb: number
  timeoutSec: number
  maxInstances: number
  /** `http`, or `cloudevent` for an event-triggered function (the Functions Framework's signature type). */
  signatureType: 'http' | 'cloudevent'
}

/**
 * Cloud Run's default TCP startup probe gives a container 240 s to listen on PORT
 * (https://cloud.google.com/run/docs/configuring/healthchecks#tcp-startup-probe).
 */
const STARTUP_PROBE_SEC = 240
/**
 * The request timeout is answered inside the instance (host.ts); the sandbox
 * stops an instance that has not answered this long after it, i.e. one whose
 * event loop is blocked and cannot answer at all.
 */
const BACKSTOP_MARGIN_SEC = 2

/** Thrown for code the Node.js buildpack would refuse; the operation fails with it. */
export class BuildError extends Error {}

/**
 * What the build and the Cloud Run revision do with an upload: unpack it,
 * find the file `package.json` names as `main`, and start instances that
 * serve it with the real Functions Framework (see host.ts).
 */
export async function createRevision(spec: RevisionSpec, revisionId: string): Promise<Revision> {
  let manifestPath: string
  try {
    const sha256 = createHash('sha256').update(spec.zip).digest('hex')
    manifestPath = await unpackArtifact({ zip: spec.zip, sha256, entryFile: 'package.json' })
  } catch (cause) {
    throw new BuildError(`Build failed: the source archive could not be unpacked (${String(cause)})`)
  }
  if (!existsSync(manifestPath)) throw new BuildError('Build failed: package.json is missing from the source')
  let main: unknown
  try {
    main = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { main?: unknown }).main ?? 'index.js'
  } catch {
    throw new BuildError('Build failed: package.json is not valid JSON')
  }
  const entryFile = join(dirname(manifestPath), String(main))
  if (!existsSync(entryFile)) throw new BuildError(`Build failed: the main file ${String(main)} is missing from the source`)
  const hostData: HostData = { sourceDir: dirname(manifestPath), frameworkDir: frameworkDir(), timeoutSec: spec.timeoutSec }
  const env = runtimeEnv({ ...spec, revisionId })
  const hostScript = await compileHostScript(packageFile('providers/gcp/emulator/host.ts'))
  // Each instance a process in the source folder (Cloud Run's /workspace), in UTC (docs/FIDELITY.md, The instance).
  const sandbox = createProcessSandbox<HostMessage, HostReply>({
    cwd: dirname(manifestPath),
    provider: 'gcp',
    name: spec.service,
    workerFile: hostScript,
    workerData: hostData,
    env,
    memoryMb: spec.memoryMb,
    timeoutSec: spec.timeoutSec + BACKSTOP_MARGIN_SEC,
    startupTimeoutSec: STARTUP_PROBE_SEC,
    maxInstances: spec.maxInstances,
  })
  // The unpacked source goes once the revision is retired and its last instance is gone.
  void sandbox.drained().then(() => releaseUnpacked(hostData.sourceDir))
  await startupProbe(sandbox, spec.service, revisionId)
  return { id: revisionId, sourceDir: hostData.sourceDir, env, sandbox, memoryMb: spec.memoryMb, timeoutSec: spec.timeoutSec }
}

/**
 * A deploy finishes only when the new revision starts: Cloud Run starts a
 * container and waits for it to listen on PORT, and fails the revision (and
 * the operation) with this message when it does not. The instance that
 * passed stays warm for the first request, as on Cloud Run.
 */
async function startupProbe(sandbox: Revision['sandbox'], service: string, revisionId: string): Promise<void> {
  let started: boolean
  try {
    started = (await sandbox.run({ kind: 'startup-probe' })).kind === 'result'
  } catch {
    started = false
  }
  if (started) return
  await sandbox.retire()
  throw new BuildError(
    `Could not create or update Cloud Run service ${service}, Container Healthcheck failed. Revision '${revisionId}' is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.`,
  )
}
