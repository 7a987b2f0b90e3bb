import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, worker } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { startEmulated } from '../__fixtures__/setup.ts'
import { functionState } from '../enums.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())

describe('gcp emulator operations', () => {
  // One attempt: a failed operation is the outcome under test, not something to retry away.
  const cloud = () => env.cloudWith({ maxAttempts: 1 })

  it('ends an operation whose own bookkeeping throws as INTERNAL instead of leaving it running for ever', async () => {
    await cloud().deploy(echo, { name: 'breaks-on-delete' })
    const fn = env.state.byShortName('breaks-on-delete')
    const sandbox = fn?.revision?.sandbox
    if (!sandbox) throw new Error('the deployed function has no revision')
    const retire = sandbox.retire.bind(sandbox)
    // The delete's ending retires the revision; this one fails once its instances are stopped.
    sandbox.retire = async () => {
      await retire()
      throw new Error('retire broke')
    }
    // Before, the delete operation never finished and the provider polled it until the test's hang guard.
    await expect(cloud().remove('breaks-on-delete')).rejects.toThrow(/retire broke/)
    const operations = [...env.state.operations.values()].filter((operation) =>
      operation.metadata.target?.toString().endsWith('/functions/breaks-on-delete'),
    )
    expect(operations.map((operation) => [operation.metadata.verb, operation.done, operation.error?.code])).toEqual([
      ['create', true, undefined],
      ['delete', true, 13],
    ])
  }, 120_000)

  it('leaves a function whose rollout failed in its bookkeeping FAILED, so it can be deployed again and removed', async () => {
    await cloud().deploy(worker, { name: 'breaks-on-attach' })
    // The update's ending marks the function ACTIVE; that step breaks once (as a throw in attaching its trigger would).
    const state = env.state
    const setState = state.setState.bind(state)
    let broken = false
    state.setState = (fn, next, ...rest) => {
      if (next === 'ACTIVE' && !broken) {
        broken = true
        throw new Error('attach broke')
      }
      return setState(fn, next, ...rest)
    }
    try {
      await expect(cloud().deploy(withOverrides(worker, { env: { V: '2' } }), { name: 'breaks-on-attach' })).rejects.toThrow(
        /attach broke/,
      )
    } finally {
      state.setState = setState
    }
    const fn = env.state.byShortName('breaks-on-attach')
    // Before, it stayed DEPLOYING, and Cloud Functions refuses every update and delete of a DEPLOYING function (ABORTED).
    expect([functionState(fn?.resource.state), fn?.rollingOut]).toEqual(['FAILED', undefined])
    expect((await cloud().deploy(withOverrides(worker, { env: { V: '3' } }), { name: 'breaks-on-attach' })).name).toBe(
      'breaks-on-attach',
    )
    expect(await cloud().remove('breaks-on-attach')).toEqual({ removed: true })
  }, 120_000)
})
