import { describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { worker } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { type Kit, kitPerTest } from '../__fixtures__/test-kit.ts'
import { routeMatches } from '../emulator/function-host.ts'
import { groupSetCookieLines } from './cookies.ts'
import { queuePayloadOf, scheduledTimeOf, wireRequestOf } from './events.ts'
import { ncrontabOf } from './schedule.ts'

const startKit = kitPerTest()

describe('azure trigger translation', () => {
  it('turns the neutral cron into a 6-field NCRONTAB with seconds 0', () => {
    expect(ncrontabOf('*/5 * * * *')).toBe('0 */5 * * * *')
    expect(ncrontabOf('30 4 * * 0')).toBe('0 30 4 * * 0')
  })

  it('reads the tick from the schedule status the host passes, else the current minute', () => {
    expect(scheduledTimeOf({ scheduleStatus: { next: '2026-01-01T00:05:00+00:00' } }, 0)).toBe('2026-01-01T00:05:00.000Z')
    expect(scheduledTimeOf({ scheduleStatus: { next: '2026-01-01T00:05:00' } }, 0)).toBe('2026-01-01T00:05:00.000Z')
    expect(scheduledTimeOf({ scheduleStatus: null }, Date.UTC(2026, 0, 1, 0, 7, 42))).toBe('2026-01-01T00:07:00.000Z')
  })

  it('encodes queue messages the library parsed back to their JSON', () => {
    expect(queuePayloadOf({ id: 1 })).toBe('{"id":1}')
    expect(queuePayloadOf('text')).toBe('"text"')
    expect(queuePayloadOf(Buffer.from('[1]'))).toBe('[1]')
  })

  it('hands the library every Set-Cookie line in one entry, the other headers as they are', () => {
    const headers = new Headers([
      ['set-cookie', 'a=1; Partitioned'],
      ['x-one', '1'],
      ['set-cookie', 'b="2"'],
    ])
    groupSetCookieLines(headers)
    expect([...headers.entries()]).toEqual([
      ['x-one', '1'],
      ['set-cookie', ['a=1; Partitioned', 'b="2"']],
    ])
    expect(headers.getSetCookie()).toEqual(['a=1; Partitioned', 'b="2"'])
  })

  it('hides the function key (header and code parameter) from a keyed handler only', async () => {
    const request = {
      method: 'GET',
      url: 'https://app.azurewebsites.net/a?code=secret&x=1',
      headers: [
        ['x-functions-key', 'secret'],
        ['x-other', 'kept'],
      ] as Array<[string, string]>,
      arrayBuffer: async () => new ArrayBuffer(0),
    }
    const keyed = await wireRequestOf(request, true)
    expect(keyed.url).toBe('https://app.azurewebsites.net/a?x=1')
    expect(keyed.headers).toEqual([['x-other', 'kept']])
    expect((await wireRequestOf(request, false)).headers).toHaveLength(2)
  })

  it('routes a catch-all at the root as ASP.NET does, literal segments case-insensitively', () => {
    expect(routeMatches('{*path}', '/')).toBe(true)
    expect(routeMatches('{*path}', '/items/42')).toBe(true)
    expect(routeMatches('api/cloudfn', '/API/cloudfn')).toBe(true)
    expect(routeMatches('api/cloudfn', '/api/cloudfn/more')).toBe(false)
  })
})

describe('azure queue triggers on the emulator', () => {
  const queuesOf = (current: Kit) => [...current.emulator.state.storageAccounts.values()][0]?.queues ?? new Map()

  it('creates the queue and its poison queue tagged as cloudfn, skips an unchanged redeploy and removes both', async () => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(worker, { name: 'jobs' })
    expect((await kit.cloud.get('jobs')).trigger).toMatchObject({ kind: 'queue', maxRetries: 4 })
    const queues = queuesOf(kit)
    expect([...queues.keys()].sort()).toEqual(['jobs', 'jobs-poison'])
    expect(queues.get('jobs')?.metadata).toEqual({ cloudfn_managed: 'true', cloudfn_function: 'jobs' })
    const before = kit.emulator.state.requestCount
    expect((await kit.cloud.deploy(worker, { name: 'jobs' })).status).toBe('unchanged')
    expect(kit.emulator.state.requestCount - before).toBe(1)

    await fn.send({ id: 1 })
    expect(kit.emulator.state.requestsByRoute.get('queue POST')).toBe(1)
    await fn.remove()
    expect(queues.size).toBe(0)
  })

  it('moves a renamed queue: the old one goes, the new one is created', async () => {
    const kit = startKit()
    await kit.cloud.deploy(worker, { name: 'renamed' })
    await kit.cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'other-jobs' }) }), { name: 'renamed' })
    expect([...queuesOf(kit).keys()].sort()).toEqual(['other-jobs', 'other-jobs-poison'])
  })

  it("refuses a queue another function owns before changing anything, and a remove deletes only the function's own queues", async () => {
    const kit = startKit()
    await kit.cloud.deploy(worker, { name: 'jobs' })
    const { state } = kit.emulator
    const writes = () => [...state.requestsByRoute].filter(([route]) => !route.endsWith(' GET')).reduce((n, [, c]) => n + c, 0)
    const before = writes()
    const error = await caughtError(
      kit.cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'jobs' }) }), { name: 'intruder' }),
    )
    expect(error).toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(error.message).toMatch(/'jobs' belongs to function 'jobs'/)
    expect(writes()).toBe(before)
    expect(state.siteForFunction('intruder')).toBeUndefined()
    expect(queuesOf(kit).get('jobs')?.metadata).toEqual({ cloudfn_managed: 'true', cloudfn_function: 'jobs' })

    // A queue some other function wrote its metadata on (as before such deploys were refused) stays.
    const other = await kit.cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'shared' }) }), { name: 'other' })
    const shared = queuesOf(kit).get('shared')
    if (shared) shared.metadata = { cloudfn_managed: 'true', cloudfn_function: 'jobs' }
    await other.remove()
    expect([...queuesOf(kit).keys()].sort()).toEqual(['jobs', 'jobs-poison', 'shared'])
  })

  it('rejects a queue name Azure cannot hold before sending anything', async () => {
    const kit = startKit()
    const error = await caughtError(
      kit.cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'a--b' }) }), { name: 'bad' }),
    )
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'trigger.name' })
    expect(kit.emulator.state.requestCount).toBe(0)
  })
})
