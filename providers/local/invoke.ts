import { randomUUID } from 'node:crypto'
import type { InvokeRequest, InvokeResponse } from '../../src/provider.ts'
import type { LocalContext } from './context.ts'
import type { RunOutcome } from './runner.ts'

/**
 * Execution ids shaped like the UUIDs Lambda uses as request ids: a random
 * UUID per process with its last 12 hex digits counting, unique within the
 * process and (by the random part) across processes. `randomUUID()` per call
 * cost about 4 % of an inline invoke.
 */
const idPrefix = randomUUID().slice(0, 24)
let idCounter = 0
function nextExecutionId(): string {
  idCounter = (idCounter + 1) % 0x1000000000000
  return idPrefix + idCounter.toString(16).padStart(12, '0')
}

/** Runs one execution on the function's runner and keeps its logs (on disk too when persisted). */
export async function runInvocation(
  context: LocalContext,
  name: string,
  payload: string,
  executionId: string,
): Promise<RunOutcome> {
  const { store, persistence } = context
  // Without persistence the deployment is in memory: no load to share, so no promise per call (inline hot path).
  const known = persistence ? undefined : store.deployments.get(name)
  const { runner } = known ?? (await context.deploymentOf(name))
  const outcome = await runner.run(payload, executionId, () => store.countExecution(name))
  store.appendLogs(name, outcome.logs)
  if (persistence) await persistence.appendLogs(name, outcome.logs)
  return outcome
}

export async function invokeSync(context: LocalContext, request: InvokeRequest): Promise<InvokeResponse> {
  const outcome = await runInvocation(context, request.name, request.payload, nextExecutionId())
  return { envelope: outcome.envelope, logs: request.includeLogs ? outcome.logs : undefined }
}

export async function invokeAsync(context: LocalContext, request: InvokeRequest): Promise<{ executionId: string }> {
  await context.deploymentOf(request.name)
  const executionId = randomUUID()
  // Queued like a cloud's async invoke: at-least-once, failures only in the logs.
  void runQueued(() => runInvocation(context, request.name, request.payload, executionId))
  return { executionId }
}

/** Retries a queued execution while the function is throttled, as a cloud's event queue does. */
async function runQueued(run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await run()
      return
    } catch (error) {
      if ((error as { code?: string }).code !== 'Throttled') return
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)))
    }
  }
}
