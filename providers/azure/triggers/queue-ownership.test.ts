import { describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { type Kit, kitPerTest } from '../__fixtures__/test-kit.ts'
import { azureForeignQueues } from '../conformance/foreign-queues.ts'
import { createQueue, putMessage, type QueueState } from '../emulator/queues.ts'

const startKit = kitPerTest()

const queuesOf = (current: Kit): Map<string, QueueState> =>
  [...current.emulator.state.storageAccounts.values()][0]?.queues ?? new Map()

/** Queues made and read outside cloudfn, as the conformance target does. */
const outside = (current: Kit) => azureForeignQueues(current.emulator, 'cloudfn-tests')
const THEIRS = { owner: 'someone_else' }

describe('azure queue ownership', () => {
  it('refuses a queue or poison queue cloudfn did not make, before changing anything, and leaves it as it was', async () => {
    const kit = startKit()
    // The storage account exists once any function is deployed.
    await kit.cloud.deploy(worker, { name: 'first' })
    const queues = outside(kit)
    await queues.create('their-jobs', ['a', 'b'])
    await queues.create('taker-jobs-poison', ['c'])
    const held = () => Promise.all([queues.read('their-jobs'), queues.read('taker-jobs-poison')])
    const untouched = await held()
    expect(untouched).toEqual([
      { marker: THEIRS, messages: ['a', 'b'] },
      { marker: THEIRS, messages: ['c'] },
    ])
    const { state } = kit.emulator
    const writes = () => [...state.requestsByRoute].filter(([route]) => !route.endsWith(' GET')).reduce((n, [, c]) => n + c, 0)
    const before = writes()
    const main = await caughtError(
      kit.cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'their-jobs' }) }), { name: 'taker' }),
    )
    expect([main.code, main.isRetryable]).toEqual(['Conflict', false])
    expect(main.message).toMatch(/^Storage queue 'their-jobs' exists but was not created by cloudfn/)
    const poison = await caughtError(
      kit.cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'taker-jobs' }) }), { name: 'taker' }),
    )
    expect(poison.message).toMatch(
      /^Storage queue 'taker-jobs-poison' \(the dead-letter queue of 'taker'\) exists but was not created/,
    )
    expect(writes()).toBe(before)
    expect(state.siteForFunction('taker')).toBeUndefined()
    expect(await held()).toEqual(untouched)
    expect(queuesOf(kit).has('taker-jobs')).toBe(false)
    await kit.cloud.remove('first')
  })

  it('adopts its own queues on a redeploy, metadata compared without case, and remove deletes only those', async () => {
    const kit = startKit()
    const fn = withOverrides(worker, { trigger: queue({ name: 'mine' }) })
    await kit.cloud.deploy(fn, { name: 'keeper' })
    // Azure reads metadata names without case: a queue whose marker came back in other case is still the function's.
    const mine = queuesOf(kit).get('mine')
    if (mine) mine.metadata = { CloudFn_Managed: 'true', CLOUDFN_FUNCTION: 'keeper' }
    putMessage(mine ?? createQueue('mine'), 'waiting', Date.now(), 60_000)
    expect((await kit.cloud.deploy(withOverrides(fn, { env: { CHANGED: '1' } }), { name: 'keeper' })).status).toBe('updated')
    expect((await outside(kit).read('mine'))?.messages).toEqual(['waiting'])
    // Out of band, the poison queue is replaced by someone else's.
    await outside(kit).delete('mine-poison')
    await outside(kit).create('mine-poison', ['theirs'])
    await kit.cloud.remove('keeper')
    expect(queuesOf(kit).has('mine')).toBe(false)
    expect(await outside(kit).read('mine-poison')).toEqual({ marker: THEIRS, messages: ['theirs'] })
  })
})
