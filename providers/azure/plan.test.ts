import { afterEach, describe, it } from 'vitest'
import { versionOne, worker } from '../../conformance/fixtures/functions.ts'
import { refusedAlike } from '../../conformance/scenarios/plan-refusals.ts'
import { withOverrides } from '../../src/define.ts'
import { queue } from '../../src/triggers/queue.ts'
import { type Kit, startKit } from './__fixtures__/test-kit.ts'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe('azure plan refuses what deploy refuses, with the same error, writing nothing', () => {
  const refused = (current: Kit, definition: Parameters<typeof refusedAlike>[2], name: string) =>
    refusedAlike(current.cloud, () => current.emulator.state.writeCount, definition, name)

  it('maxInstances set twice', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const both = withOverrides(versionOne, { maxInstances: 2, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    await refused(kit, both, 'plan-max')
  })

  it('minInstances above the ceiling', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const warm = withOverrides(versionOne, { minInstances: 5, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    await refused(kit, warm, 'plan-min')
  })

  it('a queue name Azure cannot have', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    await refused(kit, withOverrides(worker, { trigger: queue({ name: 'ab' }) }), 'plan-short-queue')
  })

  it("another function's queue", async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const owned = withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) })
    await kit.cloud.deploy(owned, { name: 'plan-owner' })
    await refused(kit, owned, 'plan-intruder')
  })
})
