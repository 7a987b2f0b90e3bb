import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ticker } from '../../conformance/fixtures/functions.ts'
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
})
