/**
 * Providers re-poll a resource that is becoming ready quickly at first
 * (src/poll-pace.ts): a deploy to an emulator, whose operations end within
 * milliseconds, does not sleep a full `pollIntervalMs` (1–2 s by default)
 * between a poll that saw "not yet" and the next one. Each deploy here runs
 * with a one-minute interval: before the quick first polls it slept that
 * minute and failed on the test's timeout. The emulators still answer "not
 * yet" first (Pending, done=false, InProgress): the polls below show it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { echo } from '../conformance/fixtures/functions.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../providers/aws/emulator/index.ts'
import { createAwsProvider } from '../providers/aws/index.ts'
import { createAzureEmulator, emulatorCredential } from '../providers/azure/emulator/index.ts'
import { createAzureProvider } from '../providers/azure/index.ts'
import { createGcpEmulator, emulatorAuthClient } from '../providers/gcp/emulator/index.ts'
import { createGcpProvider } from '../providers/gcp/index.ts'
import { createCloud } from '../src/client.ts'
import { FIRST_POLL_MS, fastPolls, POLL_GROWTH, pollPace } from '../src/poll-pace.ts'
import { createManualClock } from '../src/triggers/clock.ts'

const MINUTE = 60_000
/** A hang guard only: the deploys take well under a second unless they sleep a poll interval. */
const GUARD_MS = 25_000

describe('pollPace', () => {
  it('starts at FIRST_POLL_MS and grows by POLL_GROWTH up to the interval, which it keeps', () => {
    const pace = pollPace(1000)
    expect(Array.from({ length: 14 }, pace)).toEqual([10, 15, 23, 35, 53, 80, 120, 180, 270, 405, 608, 912, 1000, 1000])
    const short = pollPace(10)
    expect([short(), short(), short()]).toEqual([10, 10, 10])
    expect([FIRST_POLL_MS, POLL_GROWTH]).toEqual([10, 1.5])
  })

  it('counts the quick polls that fit in the first interval, for pollers with a fixed interval', () => {
    expect(fastPolls(1000)).toEqual([10, 15, 23, 35, 53, 80, 120, 180, 270])
    expect(fastPolls(2000)).toEqual([10, 15, 23, 35, 53, 80, 120, 180, 270, 405, 608])
    expect(fastPolls(20)).toEqual([10])
    expect(fastPolls(10)).toEqual([])
  })
})

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

/** Paths of the GET requests an emulator's msw server saw, in order. */
function recordGets(server: { events: { on(event: 'request:start', listener: (args: { request: Request }) => void): void } }) {
  const gets: string[] = []
  server.events.on('request:start', ({ request }) => {
    if (request.method === 'GET') gets.push(new URL(request.url).pathname)
  })
  return gets
}

describe('a deploy to an emulator with a one-minute poll interval', () => {
  it(
    'aws: sees Pending, then Active on a quick re-poll',
    async () => {
      const region = 'eu-west-1'
      // Pending for a second of the emulator's state clock, which each GET of the function moves on by 600 ms:
      // the poll after CreateFunction sees Pending and the next one Active, however slow the machine.
      let emulatorMs = 0
      const emulator = createAwsEmulator({ region, stateDelayMs: 1000, stateClock: { now: () => emulatorMs } })
      const server = emulator.listen()
      server.events.on('request:start', ({ request }) => {
        if (request.method === 'GET' && new URL(request.url).pathname.endsWith('/functions/pace-aws/configuration'))
          emulatorMs += 600
      })
      const gets = recordGets(server)
      close = () => emulator.close()
      const cloud = createCloud(createAwsProvider({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: MINUTE }))
      const fn = await cloud.deploy(echo, { name: 'pace-aws' })
      const polls = gets.filter((path) => path.endsWith('/functions/pace-aws/configuration'))
      // One GET finds nothing (create), one sees Pending, the last sees Active.
      expect(polls.length).toBe(3)
      expect(await fn.invoke({ value: 'ok' })).toEqual({ value: 'ok' })
    },
    GUARD_MS,
  )

  it(
    'gcp: sees the operation not done, then done on a quick re-poll',
    async () => {
      // The operation's delay runs on a manual clock that moves only once a poll of it has been answered:
      // the first poll sees it running and a later one done, however slow the machine.
      const stateClock = createManualClock()
      const emulator = createGcpEmulator({ operationDelayMs: 1000, stateClock })
      const server = emulator.listen()
      server.events.on('response:mocked', ({ request }) => {
        if (request.method === 'GET' && new URL(request.url).pathname.includes('/operations/')) void stateClock.advance(1000)
      })
      const gets = recordGets(server)
      close = () => emulator.close()
      const provider = createGcpProvider({
        project: 'cloudfn-pace',
        region: 'europe-west1',
        authClient: emulatorAuthClient(),
        idTokenProvider: emulator.idTokenProvider,
        pollIntervalMs: MINUTE,
      })
      const fn = await createCloud(provider).deploy(echo, { name: 'pace-gcp' })
      const polls = gets.filter((path) => path.includes('/operations/'))
      expect(polls.length).toBeGreaterThanOrEqual(2)
      expect(await fn.invoke({ value: 'ok' })).toEqual({ value: 'ok' })
    },
    GUARD_MS,
  )

  it(
    'azure: sees each long-running operation and the deployment in progress, then done on quick re-polls',
    async () => {
      const emulator = createAzureEmulator()
      const gets = recordGets(emulator.listen())
      close = () => emulator.close()
      const provider = createAzureProvider({
        subscriptionId: '00000000-0000-4000-8000-000000000000',
        resourceGroup: 'cloudfn-pace',
        location: 'westeurope',
        credential: emulatorCredential(),
        pollIntervalMs: MINUTE,
      })
      const fn = await createCloud(provider).deploy(echo, { name: 'pace-azure' })
      const operationPolls = gets.filter((path) => path.includes('/operationResults/'))
      // Storage account, plan and site: each LRO polled at least twice (InProgress first).
      expect(new Set(operationPolls).size).toBe(3)
      expect(operationPolls.length).toBeGreaterThanOrEqual(6)
      expect(gets.filter((path) => path.includes('/api/deployments/')).length).toBeGreaterThanOrEqual(1)
      expect(await fn.invoke({ value: 'ok' })).toEqual({ value: 'ok' })
    },
    GUARD_MS,
  )
})
