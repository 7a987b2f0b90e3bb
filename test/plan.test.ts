import { createCloud, defineFunction, formatPlan, queue, schedule } from 'cloudfn'
import { configChange, triggerChanges } from 'cloudfn/provider-utils'
import { createMockProvider } from 'cloudfn/testing'
import { describe, expect, it } from 'vitest'
import { rejectsWith } from '../conformance/expect.ts'
import type { PlanRequest } from '../src/provider.ts'

const echo = defineFunction({ name: 'echo', env: { MODE: 'fast' }, handler: (input: unknown) => input })

describe('cloud.plan', () => {
  it('is unsupported, sending nothing, on a provider without doPlan, and capabilities say so', async () => {
    const provider = createMockProvider()
    const cloud = createCloud(provider)
    expect(cloud.capabilities.plan).toBe(false)
    const error = await rejectsWith(cloud.plan(echo), 'Unsupported')
    expect(error.message).toMatch(/no doPlan/)
    expect(provider.calls).toEqual([])
  })

  it('hands doPlan the request deploy would send (same config hash), without a progress callback', async () => {
    const provider = createMockProvider()
    const planned: PlanRequest[] = []
    const cloud = createCloud(
      Object.assign(provider, {
        doPlan: async (request: PlanRequest) => {
          planned.push(request)
          return { changes: [], warnings: [] }
        },
      }),
    )
    expect(cloud.capabilities.plan).toBe(true)
    const plan = await cloud.plan(echo, { name: 'echo-staging' })
    expect(plan).toEqual({ name: 'echo-staging', provider: 'mock', changes: [], warnings: [] })
    await cloud.deploy(echo, { name: 'echo-staging' })
    const deployed = provider.calls.find(([method]) => method === 'doDeploy')?.[1] as PlanRequest
    expect(planned[0]?.configHash).toBe(deployed.configHash)
    expect(planned[0]).not.toHaveProperty('onStep')
  })

  it('checks the definition and options as deploy does', async () => {
    const cloud = createCloud(Object.assign(createMockProvider(), { doPlan: async () => ({ changes: [], warnings: [] }) }))
    await rejectsWith(cloud.plan(echo, { name: 'Bad Name!' }), 'InvalidArgument')
    await rejectsWith(cloud.plan(echo, { dryRun: true } as never), 'InvalidArgument')
    await rejectsWith(cloud.plan({} as never), 'InvalidArgument')
  })
})

describe('plan changes', () => {
  it('describe a config change by what the record shows, never an env value', () => {
    const change = configChange(
      'f',
      { memoryMb: 128, timeoutSec: 10, envKeys: ['A', 'B'], trigger: undefined },
      { memoryMb: 512, timeoutSec: 10, env: { B: 'secret-value', C: 'x' }, trigger: undefined },
    )
    expect(change).toEqual({ kind: 'update-config', resource: 'function:f', detail: 'memory 128 → 512 MB, env +C, env -A' })
    const valuesOnly = configChange(
      'f',
      { memoryMb: 128, timeoutSec: 10, envKeys: ['B'], trigger: undefined },
      { memoryMb: 128, timeoutSec: 10, env: { B: 'secret-value' }, trigger: undefined },
    )
    expect(valuesOnly.detail).toBe('environment values or provider options')
  })

  it('list the queues a renamed queue trigger makes and leaves, and a schedule that goes', () => {
    const before = queue({ name: 'jobs' })
    const after = queue({ name: 'tasks', maxRetries: 2 })
    expect(triggerChanges('w', before, after).map(({ kind, resource }) => `${kind} ${resource}`)).toEqual([
      'create-queue queue:tasks',
      'create-queue queue:tasks-dead-letter',
      'update-queue-link queue:tasks',
      'delete-queue queue:jobs',
      'delete-queue queue:jobs-dead-letter',
    ])
    expect(triggerChanges('w', schedule('rate(5 minutes)'), undefined)).toEqual([
      { kind: 'delete-schedule', resource: 'schedule:w', detail: 'rate(5 minutes)' },
    ])
    expect(triggerChanges('w', after, after)).toEqual([])
  })

  it('print one line per change, or that there is none', () => {
    expect(formatPlan({ name: 'f', provider: 'aws', changes: [], warnings: [] })).toEqual(['no changes to f on aws'])
    expect(
      formatPlan({
        name: 'f',
        provider: 'aws',
        changes: [{ kind: 'update-code', resource: 'function:f', detail: 'new code' }],
        warnings: [],
      }),
    ).toEqual(['update-code function:f: new code'])
  })
})
