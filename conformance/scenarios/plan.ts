import assert from 'node:assert/strict'
import { withOverrides } from '../../src/define.ts'
import type { DeployPlan } from '../../src/plan.ts'
import type { ProviderCapabilities } from '../../src/provider.ts'
import { httpEcho, readEnv, versionOne, versionTwo, worker } from '../fixtures/functions.ts'
import type { Probe, Scenario } from '../scenario.ts'

const requiresPlan = (capabilities: Readonly<ProviderCapabilities>) =>
  capabilities.plan ? undefined : 'the provider has no doPlan, so deploys cannot be planned (cloud.plan, deploy --dry-run)'

/**
 * Runs a plan and checks through the probe, not the API under test, that it
 * wrote nothing: no write request reached the backend (where the backend can
 * tell reads from writes) and the set of functions is the same.
 */
async function planWritingNothing(probe: Probe, plan: () => Promise<DeployPlan>): Promise<DeployPlan> {
  const writes = await probe.writeCount?.()
  const functions = (await probe.functionNames()).sort()
  const planned = await plan()
  if (writes !== undefined) assert.equal(await probe.writeCount?.(), writes, 'a plan sent a write request to the backend')
  assert.deepEqual((await probe.functionNames()).sort(), functions, 'a plan changed the functions the backend holds')
  return planned
}

const kinds = (plan: DeployPlan) => plan.changes.map((change) => `${change.kind} ${change.resource}`)

export const plan: Scenario[] = [
  {
    id: 'plan-deploy',
    title: 'a plan lists what a deploy would change (creation, code, config; nothing when unchanged) and writes nothing',
    requires: requiresPlan,
    async run({ cloud, probe, name }) {
      const fnName = name('plan')
      const fresh = await planWritingNothing(probe, () => cloud.plan(versionOne, { name: fnName }))
      assert.equal(fresh.name, fnName)
      assert.equal(fresh.provider, cloud.provider)
      assert.deepEqual(kinds(fresh), [`create-function function:${fnName}`])
      assert.equal(await probe.exists(fnName), false, 'planning a new function must not create it')

      const writesBefore = await probe.writeCount?.()
      const first = await cloud.deploy(versionOne, { name: fnName })
      // The probe must see a deploy's writes, or its "nothing written" after a plan would prove nothing.
      if (writesBefore !== undefined)
        assert.ok(((await probe.writeCount?.()) ?? 0) > writesBefore, 'the probe counted no write for a deploy')
      const unchanged = await planWritingNothing(probe, () => cloud.plan(versionOne, { name: fnName }))
      assert.deepEqual(unchanged.changes, [], 'the plan of an unchanged redeploy must be empty')

      const code = await planWritingNothing(probe, () => cloud.plan(versionTwo, { name: fnName }))
      assert.deepEqual(kinds(code), [`update-code function:${fnName}`])

      const bigger = withOverrides(versionOne, { memoryMb: 512, timeoutSec: 20 })
      const config = await planWritingNothing(probe, () => cloud.plan(bigger, { name: fnName }))
      assert.deepEqual(kinds(config), [`update-config function:${fnName}`])
      assert.match(config.changes[0]?.detail ?? '', /512/, 'the config change says what differs')

      // Nothing was deployed by planning: the function still runs version one.
      assert.equal((await first.invoke(null)).version, 1)
      // Plan and deploy agree: the planned change is made, and then there is nothing left to plan.
      const applied = await cloud.deploy(bigger, { name: fnName })
      assert.equal(applied.status, 'updated')
      assert.equal(applied.memoryMb, 512)
      assert.deepEqual((await planWritingNothing(probe, () => cloud.plan(bigger, { name: fnName }))).changes, [])
      await applied.remove()
    },
  },
  {
    id: 'plan-env',
    title: 'a plan of an environment change names the variables, never their values',
    requires: requiresPlan,
    async run({ cloud, probe, name }) {
      const fnName = name('plan-env')
      const secret = 'plan-secret-9f3a1c'
      const deployed = await cloud.deploy(readEnv, { name: fnName })
      const changed = withOverrides(readEnv, { env: { MODE: secret, TOKEN: secret } })
      const planned = await planWritingNothing(probe, () => cloud.plan(changed, { name: fnName }))
      assert.deepEqual(kinds(planned), [`update-config function:${fnName}`])
      const detail = planned.changes[0]?.detail ?? ''
      assert.match(detail, /\+TOKEN/)
      assert.match(detail, /-GREETING/)
      assert.ok(!JSON.stringify(planned).includes(secret), 'a plan must not show environment values')
      await deployed.remove()
    },
  },
  {
    id: 'plan-http-trigger',
    title: 'a plan of a new HTTP function lists its URL; after deploying it, the plan is empty',
    requires: (capabilities) => requiresPlan(capabilities) ?? (capabilities.triggers.http ? undefined : 'no HTTP triggers'),
    async run({ cloud, probe, name }) {
      const fnName = name('plan-http')
      const fresh = await planWritingNothing(probe, () => cloud.plan(httpEcho, { name: fnName }))
      const listed = kinds(fresh)
      assert.equal(listed[0], `create-function function:${fnName}`)
      assert.ok(listed.includes(`create-url url:${fnName}`), `the URL is missing from ${JSON.stringify(listed)}`)
      const deployed = await cloud.deploy(httpEcho, { name: fnName })
      const again = await planWritingNothing(probe, () => cloud.plan(httpEcho, { name: fnName }))
      assert.deepEqual(again.changes, [])
      await deployed.remove()
    },
  },
  {
    id: 'plan-queue-trigger',
    title: 'a plan of a new queue-triggered function lists its queue; after deploying it, the plan is empty',
    requires: (capabilities) => requiresPlan(capabilities) ?? (capabilities.triggers.queue ? undefined : 'no queue triggers'),
    async run({ cloud, probe, name }) {
      const fnName = name('plan-queue')
      const fresh = await planWritingNothing(probe, () => cloud.plan(worker, { name: fnName }))
      const listed = kinds(fresh)
      assert.equal(listed[0], `create-function function:${fnName}`)
      // The queue is named after the function; its dead-letter queue's name is the cloud's own.
      assert.ok(listed.includes(`create-queue queue:${fnName}`), `the queue is missing from ${JSON.stringify(listed)}`)
      const deployed = await cloud.deploy(worker, { name: fnName })
      const again = await planWritingNothing(probe, () => cloud.plan(worker, { name: fnName }))
      assert.deepEqual(again.changes, [])
      await deployed.remove()
    },
  },
]
