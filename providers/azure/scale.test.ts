import { describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { gated, newGate } from '../../conformance/fixtures/recorders.ts'
import { withOverrides } from '../../src/define.ts'
import { expectRefusedBeyondCeiling } from '../../test/fixtures/ceiling.ts'
import { KIT_SCOPE, kitPerTest } from './__fixtures__/test-kit.ts'
import { appName } from './names.ts'

const startKit = kitPerTest()

describe('azure: maxInstances / minInstances are the Flex app’s scale', () => {
  it('deploys them, throttles beyond the ceiling, and updates them on redeploy', async () => {
    const kit = startKit({ retry: { maxAttempts: 1 } })
    const { cloud, emulator } = kit
    const scaleOf = () => emulator.state.site(appName(KIT_SCOPE, 'ceiling'))?.functionAppConfig.scaleAndConcurrency
    const fn = await cloud.deploy(withOverrides(gated, { maxInstances: 1 }), { name: 'ceiling' })
    expect(scaleOf()).toEqual({
      instanceMemoryMB: 2048,
      maximumInstanceCount: 1,
      triggers: { http: { perInstanceConcurrency: 1 } },
    })
    // Executions are counted by the cloudfn name (the app's cloudfn:name tag).
    const app = 'ceiling'
    const gate = newGate()
    const held = fn.invoke({ gate: gate.path, tag: 'a' })
    while ((emulator.state.executions.get(app) ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 2))
    // The host's 429 as the neutral Throttled: the function did not run.
    await expectRefusedBeyondCeiling(fn, gate, held)
    expect(emulator.state.executions.get(app)).toBe(1)

    const raised = await cloud.deploy(withOverrides(gated, { maxInstances: 3, minInstances: 2 }), { name: 'ceiling' })
    expect(raised.status).toBe('updated')
    expect(scaleOf()).toMatchObject({ maximumInstanceCount: 3, alwaysReady: [{ name: 'http', instanceCount: 2 }] })
    // Back to the defaults: no ceiling of cloudfn's, no warm instances.
    await cloud.deploy(gated, { name: 'ceiling' })
    expect(scaleOf()).toEqual({ instanceMemoryMB: 2048, maximumInstanceCount: 100 })
    await fn.remove()
  })

  it('refuses the neutral setting and the provider option together, before sending anything', async () => {
    const kit = startKit()
    const before = kit.emulator.state.requestCount
    const both = withOverrides(gated, { maxInstances: 2, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    expect(await caughtError(kit.cloud.deploy(both, { name: 'both' }))).toMatchObject({
      code: 'InvalidArgument',
      field: 'providerOptions.azure.maximumInstanceCount',
    })
    const warm = withOverrides(gated, { minInstances: 5, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    expect(await caughtError(kit.cloud.deploy(warm, { name: 'warm' }))).toMatchObject({ field: 'minInstances' })
    expect(kit.emulator.state.requestCount).toBe(before)
  })
})
