import { deployedRecord } from '../../src/deployed-record.ts'
import type { DeployRequest, DeployResponse } from '../../src/provider.ts'
import { unpackArtifact } from '../../src/sandbox/artifact-dir.ts'
import type { LocalContext } from './context.ts'
import { createInlineRunner } from './inline-runner.ts'
import { codeHashOf, planLocal } from './plan.ts'
import type { Runner } from './runner.ts'
import type { LocalDeployment } from './store.ts'
import { createWorkerRunner } from './worker-runner.ts'

/** Deploys under the function's lock; calls in flight on the replaced version finish first, waited for outside the lock. */
export async function deployFunction(context: LocalContext, request: DeployRequest): Promise<DeployResponse> {
  const { response, replaced } = await context.exclusive(request.name, () => deployLocked(context, request))
  // As during a cloud update, the old version serves the calls it accepted.
  await replaced?.runner.retire()
  return response
}

async function deployLocked(
  context: LocalContext,
  request: DeployRequest,
): Promise<{ response: DeployResponse; replaced: LocalDeployment | undefined }> {
  const { store, persistence, triggers } = context
  // Compared with what is on disk now (another process may have deployed since), under the lock:
  // a fresh read, not one an invoke started before the lock was taken.
  const existing = await context.hydrateNow(request.name)
  // Plan, then apply: doPlan's own plan (plan.ts); the fake applies any change by replacing the deployment.
  // Whether anything changes rests on the hashes alone; the other deployments only name topic resources.
  if (existing && planLocal(existing, request, []).changes.length === 0) {
    return { response: { record: existing.record, status: 'unchanged', warnings: [] }, replaced: undefined }
  }
  await triggers.assertQueueFree(request.name, request.trigger)
  request.onStep?.(existing ? 'update' : 'create')
  request.onStep?.('upload')
  const runnerSettings = context.runnerSettings(
    request.name,
    request.memoryMb,
    request.timeoutSec,
    request.env,
    request.scale.maxInstances,
  )
  const runner: Runner = request.artifact
    ? createWorkerRunner(await unpackArtifact(request.artifact), runnerSettings)
    : createInlineRunner({ ...request.definition, trigger: request.trigger }, runnerSettings)
  const record = deployedRecord(request, {
    provider: 'local',
    codeHash: codeHashOf(request),
    ...(request.scale.maxInstances === undefined ? {} : { maxInstances: request.scale.maxInstances }),
  })
  // The commit point: until the record is replaced on disk, every process still sees the old version.
  if (persistence && request.artifact) await persistence.save({ record, env: { ...request.env }, artifact: request.artifact })
  store.deployments.set(request.name, { record, definition: request.definition, runner })
  record.url = await triggers.attach(request.name, request.trigger)
  // A persisted fake serves HTTP from whichever process loads it: this URL ends with this process.
  const warnings =
    persistence && record.url
      ? [
          {
            setting: 'trigger',
            message: `${record.url} is served by this process only; use fetch() or run the server in a long-lived process`,
          },
        ]
      : []
  return { response: { record, status: existing ? 'updated' : 'created', warnings }, replaced: existing }
}

/** Removes the function, its triggers and (persisted) its folder; a damaged folder is removed like a deployment. */
export function removeFunction(context: LocalContext, name: string): Promise<{ removed: boolean }> {
  const { store, persistence, triggers, damaged } = context
  return context.exclusive(name, async () => {
    const existing = await context.hydrateNow(name)
    if (!existing) {
      // `rm` is how a user clears a damaged folder by name.
      if (!persistence || !damaged.has(name)) return { removed: false }
      await persistence.remove(name)
      damaged.delete(name)
      return { removed: true }
    }
    store.deployments.delete(name)
    await triggers.detach(name)
    await persistence?.remove(name)
    await existing.runner.retire()
    return { removed: true }
  })
}
