import { afterEach, describe, expect, it } from 'vitest'
import { versionOne, worker } from '../../conformance/fixtures/functions.ts'
import { type FunctionDefinition, withOverrides } from '../../src/define.ts'
import { queue } from '../../src/triggers/queue.ts'
import { type Kit, startKit } from './__fixtures__/test-kit.ts'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

describe('azure plan refuses what deploy refuses, with the same error, writing nothing', () => {
  // biome-ignore lint/suspicious/noExplicitAny: any definition's plan and deploy are compared
  async function refusedAlike(current: Kit, definition: FunctionDefinition<any, any, any>, name: string) {
    const { cloud, emulator } = current
    const before = emulator.state.writeCount
    const planned = await cloud.plan(definition, { name }).then(
      (plan) => plan,
      (error: unknown) => error,
    )
    expect(emulator.state.writeCount).toBe(before)
    const deployed = await cloud.deploy(definition, { name }).then(
      (handle) => handle,
      (error: unknown) => error,
    )
    expect(deployed).toBeInstanceOf(Error)
    expect(emulator.state.writeCount).toBe(before)
    const { code, field } = deployed as { code?: string; field?: string }
    expect(code).toBeDefined()
    expect(planned).toBeInstanceOf((deployed as Error).constructor)
    expect(planned).toMatchObject({ code, ...(field === undefined ? {} : { field }) })
  }

  it('maxInstances set twice', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const both = withOverrides(versionOne, { maxInstances: 2, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    await refusedAlike(kit, both, 'plan-max')
  })

  it('minInstances above the ceiling', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const warm = withOverrides(versionOne, { minInstances: 5, providerOptions: { azure: { maximumInstanceCount: 3 } } })
    await refusedAlike(kit, warm, 'plan-min')
  })

  it('a queue name Azure cannot have', async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    await refusedAlike(kit, withOverrides(worker, { trigger: queue({ name: 'ab' }) }), 'plan-short-queue')
  })

  it("another function's queue", async () => {
    kit = startKit({ retry: { maxAttempts: 1 } })
    const owned = withOverrides(worker, { trigger: queue({ name: 'plan-owned' }) })
    await kit.cloud.deploy(owned, { name: 'plan-owner' })
    await refusedAlike(kit, owned, 'plan-intruder')
  })
})
