import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ticker, versionOne, worker } from '../../conformance/fixtures/functions.ts'
import { topicRecorder } from '../../conformance/fixtures/topics.ts'
import type { FunctionDefinition } from '../../src/define.ts'
import { withOverrides } from '../../src/define.ts'
import { queue } from '../../src/triggers/queue.ts'
import { topic } from '../../src/triggers/topic.ts'
import { startEmulated } from './__fixtures__/setup.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

describe('gcp plan', () => {
  it('lists the trigger resources a crashed deploy left missing, writing nothing, and is empty once a deploy repaired them', async () => {
    const cloud = env.cloudWith()
    const name = 'plan-repair'
    await cloud.deploy(ticker, { name })
    expect((await cloud.plan(ticker, { name })).changes).toEqual([])

    // What a deploy that stopped between the function and its Cloud Scheduler job leaves.
    const [jobName, job] = [...env.emulator.scheduler.jobs].find(([key]) => key.endsWith(`${name}`)) ?? []
    expect(jobName).toBeDefined()
    job?.stop()
    env.emulator.scheduler.jobs.delete(jobName ?? '')

    const writes = () => env.state.writeCount
    const before = writes()
    const plan = await cloud.plan(ticker, { name })
    expect(plan.changes.map((change) => `${change.kind} ${change.resource}`)).toEqual([`create-schedule schedule:${name}`])
    expect(writes()).toBe(before)
    expect(env.emulator.scheduler.jobs.has(jobName ?? '')).toBe(false)

    expect((await cloud.deploy(ticker, { name })).status).toBe('updated')
    expect(env.emulator.scheduler.jobs.has(jobName ?? '')).toBe(true)
    expect((await cloud.plan(ticker, { name })).changes).toEqual([])
    await cloud.remove(name)
  })

  describe('refuses what deploy refuses, with the same error, writing nothing', () => {
    // biome-ignore lint/suspicious/noExplicitAny: any definition's plan and deploy are compared
    async function refusedAlike(definition: FunctionDefinition<any, any, any>, name: string) {
      const cloud = env.cloudWith()
      const before = env.state.writeCount
      const planned = await cloud.plan(definition, { name }).then(
        (plan) => plan,
        (error: unknown) => error,
      )
      expect(env.state.writeCount).toBe(before)
      const deployed = await cloud.deploy(definition, { name }).then(
        (handle) => handle,
        (error: unknown) => error,
      )
      expect(deployed).toBeInstanceOf(Error)
      expect(env.state.writeCount).toBe(before)
      const { code, field } = deployed as { code?: string; field?: string }
      expect(code).toBeDefined()
      expect(planned).toBeInstanceOf((deployed as Error).constructor)
      expect(planned).toMatchObject({ code, ...(field === undefined ? {} : { field }) })
    }

    it('maxInstances set twice', () =>
      refusedAlike(withOverrides(versionOne, { maxInstances: 2, providerOptions: { gcp: { maxInstances: 3 } } }), 'plan-max'))
    it('minInstances above the ceiling', () =>
      refusedAlike(withOverrides(versionOne, { providerOptions: { gcp: { maxInstances: 2, minInstances: 3 } } }), 'plan-min'))
    it('a bad serviceAccountEmail', () =>
      refusedAlike(withOverrides(versionOne, { providerOptions: { gcp: { serviceAccountEmail: 'nobody' } } }), 'plan-sa'))
    it("another function's queue", async () => {
      const cloud = env.cloudWith()
      const owner = await cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) }), { name: 'plan-owner' })
      await refusedAlike(withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) }), 'plan-intruder')
      await owner.remove()
    })
    it("a topic that is another function's queue", async () => {
      const cloud = env.cloudWith()
      const owner = await cloud.deploy(worker, { name: 'plan-queue-owner' })
      await refusedAlike(withOverrides(topicRecorder, { trigger: topic({ name: 'plan-queue-owner' }) }), 'plan-subscriber')
      await owner.remove()
    })
  })
})
