import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { packageFile } from '../../../src/package/package-root.ts'
import { unpackArtifact } from '../../../src/sandbox/artifact-dir.ts'
import { compileHostScript } from '../../../src/sandbox/host-script.ts'
import { createProcessSandbox, type Sandbox } from '../../../src/sandbox/process-sandbox.ts'
import type { HostReply, HostRequest } from './protocol.ts'

/** One deployed revision: its unpacked code running in worker instances. */
export interface Revision {
  id: string
  sandbox: Sandbox<HostRequest, HostReply>
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

/** Thrown for code the Node.js buildpack would refuse; the operation fails with it. */
export class BuildError extends Error {}

/**
 * What the build and the Cloud Run revision do with an upload: unpack it,
 * find the file `package.json` names as `main`, and start instances that
 * load it with the Functions Framework's contract (see host.ts).
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
  const hostScript = await compileHostScript(packageFile('providers/gcp/emulator/host.ts'))
  // Each instance a process in the source folder (Cloud Run's /workspace), in UTC (docs/FIDELITY.md, The instance).
  const sandbox = createProcessSandbox<HostRequest, HostReply>({
    cwd: dirname(manifestPath),
    provider: 'gcp',
    name: spec.service,
    workerFile: hostScript,
    workerData: { entryFile, target: spec.entryPoint, signatureType: spec.signatureType },
    env: {
      ...spec.env,
      K_SERVICE: spec.service,
      K_REVISION: revisionId,
      K_CONFIGURATION: spec.service,
      FUNCTION_TARGET: spec.entryPoint,
      FUNCTION_SIGNATURE_TYPE: spec.signatureType,
      PORT: '8080',
    },
    memoryMb: spec.memoryMb,
    timeoutSec: spec.timeoutSec,
    maxInstances: spec.maxInstances,
  })
  return { id: revisionId, sandbox, memoryMb: spec.memoryMb, timeoutSec: spec.timeoutSec }
}
