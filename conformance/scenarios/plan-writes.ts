import assert from 'node:assert/strict'
import type { SetupServer } from 'msw/node'
import type { Cloud } from '../../src/client.ts'
import type { FunctionDefinition } from '../../src/define.ts'
import type { DeployPlan, PlanChange } from '../../src/plan.ts'

/** A write request a backend received, as the emulator's msw server saw it. */
export interface Write {
  method: string
  url: URL
}

/**
 * The plan changes a write may belong to, each `kind` (any resource) or
 * `kind resource`; empty for a write no change explains. Each provider's
 * test writes its own, from its cloud's REST API.
 */
export type ExplainWrite = (write: Write) => string[]

/** Records the write requests (as `isWrite`, the emulator's own rule, tells them) the server receives. */
export function recordWrites(server: SetupServer, isWrite: (request: Request) => boolean) {
  const writes: Write[] = []
  server.events.on('request:start', ({ request }) => {
    if (isWrite(request)) writes.push({ method: request.method, url: new URL(request.url) })
  })
  /** The writes since the last call. */
  return { take: (): Write[] => writes.splice(0) }
}

const explains = (explanation: string, change: PlanChange) =>
  explanation === change.kind || explanation === `${change.kind} ${change.resource}`

export interface PlanThenDeploy {
  cloud: Cloud
  writes: ReturnType<typeof recordWrites>
  /** The emulator's own count of writes: the recorder must have seen every one. */
  writeCount: () => number
  explain: ExplainWrite
}

/**
 * Plans, then deploys, and checks that the deploy wrote only what its plan
 * lists: every write the backend received belongs to a planned change (an
 * empty plan allows none), and a plan made afterwards is empty. Answers the
 * plan and the writes, for the caller's own expectations.
 */
export async function deployWritesOnlyItsPlan(
  { cloud, writes, writeCount, explain }: PlanThenDeploy,
  // biome-ignore lint/suspicious/noExplicitAny: any definition is planned then deployed
  definition: FunctionDefinition<any, any, any>,
  name: string,
): Promise<{ plan: DeployPlan; writes: string[] }> {
  const plan = await cloud.plan(definition, { name })
  writes.take()
  const before = writeCount()
  const deployed = await cloud.deploy(definition, { name })
  const made = writes.take()
  assert.equal(made.length, writeCount() - before, 'the recorder missed writes the emulator counted')
  const listed = plan.changes.map((change) => `${change.kind} ${change.resource}`)
  const shown = (write: Write) => `${write.method} ${write.url.host}${write.url.pathname}`
  const unplanned = made.filter((write) => !explain(write).some((e) => plan.changes.some((change) => explains(e, change))))
  assert.deepEqual(unplanned.map(shown), [], `the deploy made writes its plan ${JSON.stringify(listed)} does not list`)
  assert.equal(
    deployed.status,
    plan.changes.length === 0 ? 'unchanged' : plan.changes[0]?.kind === 'create-function' ? 'created' : 'updated',
  )
  assert.deepEqual((await cloud.plan(definition, { name })).changes, [], 'the plan after the deploy is not empty')
  return { plan, writes: made.map(shown) }
}
