import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { gated, newGate } from '../../conformance/fixtures/recorders.ts'
import { withOverrides } from '../../src/define.ts'
import { expectRefusedBeyondCeiling } from '../../test/fixtures/ceiling.ts'
import { startEmulated } from './__fixtures__/setup.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

const serviceConfigOf = (name: string) => env.state.byShortName(name)?.resource.serviceConfig

async function untilRunning(name: string, count: number): Promise<void> {
  while ((env.state.executions.get(name) ?? 0) < count) await new Promise((resolve) => setTimeout(resolve, 2))
}

describe('gcp: maxInstances / minInstances are the service’s instance counts', () => {
  it('deploys them, throttles beyond the ceiling, and updates them on redeploy', async () => {
    const cloud = env.cloudWith({ maxAttempts: 1 })
    const fn = await cloud.deploy(withOverrides(gated, { maxInstances: 1 }), { name: 'ceiling' })
    expect(serviceConfigOf('ceiling')).toMatchObject({
      maxInstanceCount: 1,
      minInstanceCount: 0,
      maxInstanceRequestConcurrency: 1,
    })
    const gate = newGate()
    const held = fn.invoke({ gate: gate.path, tag: 'a' })
    await untilRunning('ceiling', 1)
    // Cloud Run's 429 (no instance free), as the neutral Throttled: the function did not run.
    await expectRefusedBeyondCeiling(fn, gate, held)
    expect(env.state.executions.get('ceiling')).toBe(1)

    const raised = await cloud.deploy(withOverrides(gated, { maxInstances: 4, minInstances: 2 }), { name: 'ceiling' })
    expect(raised.status).toBe('updated')
    expect(serviceConfigOf('ceiling')).toMatchObject({ maxInstanceCount: 4, minInstanceCount: 2 })
    expect((await cloud.deploy(withOverrides(gated, { maxInstances: 4, minInstances: 2 }), { name: 'ceiling' })).status).toBe(
      'unchanged',
    )
    await fn.remove()
  })

  it('refuses the neutral setting and the provider option together, before sending anything', async () => {
    const before = env.state.requestCount
    const both = withOverrides(gated, { maxInstances: 2, providerOptions: { gcp: { maxInstances: 3 } } })
    const error = await caughtError(env.cloudWith().deploy(both, { name: 'both' }))
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'providerOptions.gcp.maxInstances' })
    const below = withOverrides(gated, { minInstances: 5, providerOptions: { gcp: { maxInstances: 3 } } })
    expect(await caughtError(env.cloudWith().deploy(below, { name: 'below' }))).toMatchObject({ field: 'minInstances' })
    expect(env.state.requestCount).toBe(before)
  })
})
