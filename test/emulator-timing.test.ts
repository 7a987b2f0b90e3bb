/**
 * The emulators' `timing` presets: `'fast'` by default (milliseconds, every
 * transition still observable), `'realistic'` for the clouds' documented
 * durations, and explicit options winning over either.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { echo } from '../conformance/fixtures/functions.ts'
import { createAwsEmulator } from '../providers/aws/emulator/index.ts'
import { type AzureEmulator, createAzureEmulator } from '../providers/azure/emulator/index.ts'
import { createGcpEmulator, emulatorAuthClient } from '../providers/gcp/emulator/index.ts'
import { functionState } from '../providers/gcp/enums.ts'
import { createGcpProvider } from '../providers/gcp/index.ts'
import { createCloud } from '../src/client.ts'
import { elapse } from '../src/emulator-timing.ts'
import { createManualClock, type ScheduledJob, systemClock, type TriggerClock } from '../src/triggers/clock.ts'

/** A hang guard only: nothing below waits on wall-clock time to pass. */
const GUARD = { timeout: 60_000, interval: 5 }

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

describe('emulator timing presets', () => {
  it('aws: fast by default, the documented durations when realistic, explicit options first', () => {
    const fast = createAwsEmulator().state.options
    expect(fast).toMatchObject({
      timing: 'fast',
      stateDelayMs: 20,
      updateDelayMs: 20,
      roleDelayMs: 0,
      asyncRetryDelayMs: 50,
      queueRetryDelayMs: 200,
      queueDeletedWindowMs: 100,
    })
    const realistic = createAwsEmulator({ timing: 'realistic', updateDelayMs: 7 }).state.options
    expect(realistic).toMatchObject({
      timing: 'realistic',
      stateDelayMs: 1000,
      updateDelayMs: 7,
      roleDelayMs: 10_000,
      asyncRetryDelayMs: 60_000,
      queueRetryDelayMs: 30_000,
      queueDeletedWindowMs: 60_000,
    })
  })

  it('gcp: fast by default, the documented durations when realistic, explicit options first', async () => {
    const fast = createGcpEmulator()
    const realistic = createGcpEmulator({ timing: 'realistic', queueRetryDelayMs: 3, operationDelayMs: undefined })
    closers.push(
      () => fast.close(),
      () => realistic.close(),
    )
    expect(fast.options).toMatchObject({ timing: 'fast', operationDelayMs: 20, queueRetryDelayMs: 100 })
    expect(realistic.options).toMatchObject({ timing: 'realistic', operationDelayMs: 60_000, queueRetryDelayMs: 3 })
  })

  it('refuses a preset it does not know, naming the option', () => {
    expect(() => createAwsEmulator({ timing: 'slow' as never })).toThrow(/timing must be 'fast' or 'realistic'/)
    expect(() => createAzureEmulator({ timing: 'quick' as never })).toThrow(/timing/)
  })
})

describe('azure long-running operations under each preset', () => {
  const ARM = 'https://management.azure.com/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg'
  const VERSION = 'api-version=2024-11-01'
  const auth = { authorization: 'Bearer test-token', 'content-type': 'application/json' }
  const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: auth, body: JSON.stringify(body) })

  /** Retry-After of a plan creation's first answer and the statuses of its polls until done. */
  async function planCreation(emulator: AzureEmulator) {
    emulator.listen()
    closers.push(() => emulator.close())
    await put(`${ARM}?${VERSION}`, { location: 'westeurope' })
    const first = await put(`${ARM}/providers/Microsoft.Web/serverfarms/plan?${VERSION}`, {
      location: 'westeurope',
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    })
    const location = first.headers.get('location') ?? ''
    const polls: number[] = []
    while (polls.at(-1) !== 200 && polls.length < 10) polls.push((await fetch(location, { headers: auth })).status)
    return { retryAfter: first.headers.get('retry-after'), polls }
  }

  it('fast: in progress on the first poll, done on the next, no wait asked', async () => {
    expect(await planCreation(createAzureEmulator())).toEqual({ retryAfter: '0', polls: [202, 200] })
  })

  it('realistic: three polls in progress, 10 s asked between them', async () => {
    expect(await planCreation(createAzureEmulator({ timing: 'realistic' }))).toEqual({
      retryAfter: '10',
      polls: [202, 202, 202, 200],
    })
  })
})

describe('elapse on a manual clock', () => {
  it('resolves once the clock has been advanced past the delay, not before', async () => {
    const clock = createManualClock(0)
    let done = false
    const waiting = elapse(clock, 1000).then(() => {
      done = true
    })
    await clock.advance(999)
    expect(done).toBe(false)
    await clock.advance(1)
    await waiting
    expect(done).toBe(true)
    await elapse(clock, 0)
  })
})

describe('elapse on the system clock', () => {
  it('ends even when the clock arms its tick only after the delay has passed (a descheduled process)', async () => {
    const start = Date.now()
    // elapse reads the time, then the clock arms its job: on a loaded machine the second read came after the 5 ms.
    const now = vi
      .spyOn(Date, 'now')
      .mockReturnValueOnce(start)
      .mockReturnValueOnce(start + 50)
    try {
      // Before, "the first tick after start + 50" of a 5 ms delay was none: it never resolved (the test's hang guard).
      await elapse(systemClock(), 5)
    } finally {
      now.mockRestore()
    }
  })

  it('fires its tick once, whatever the clock asks after it fired', async () => {
    const jobs: ScheduledJob[] = []
    const clock: TriggerClock = {
      now: () => 0,
      every: (job) => {
        jobs.push(job)
        return () => undefined
      },
    }
    const waiting = elapse(clock, 10)
    const [job] = jobs
    expect([job?.next?.(0), job?.next?.(500)]).toEqual([10, 10])
    await job?.fire(new Date(10))
    await waiting
    expect(job?.next?.(10)).toBeUndefined()
  })
})

describe('gcp operations under the realistic preset, on a manual state clock', () => {
  it(
    'a deploy stays running for the documented minute after its revision has started, then ends',
    async () => {
      const stateClock = createManualClock()
      const emulator = createGcpEmulator({ timing: 'realistic', stateClock })
      emulator.listen()
      closers.push(() => emulator.close())
      const provider = createGcpProvider({
        project: 'cloudfn-timing',
        region: 'europe-west1',
        authClient: emulatorAuthClient(),
        idTokenProvider: emulator.idTokenProvider,
        pollIntervalMs: 20,
      })
      let deployed = false
      const deploying = createCloud(provider)
        .deploy(echo, { name: 'slow-op' })
        .then((fn) => {
          deployed = true
          return fn
        })
      const record = () => emulator.state.byShortName('slow-op')
      const operation = () => [...emulator.state.operations.values()].find((op) => op.metadata.target === record()?.resource.name)
      // The build and the first instance are done: only the modelled minute is left.
      await vi.waitFor(() => expect(record()?.rollingOut).toBeDefined(), GUARD)
      await stateClock.advance(59_999)
      expect(operation()?.done).toBe(false)
      expect(functionState(record()?.resource.state)).toBe('DEPLOYING')
      expect(deployed).toBe(false)
      await stateClock.advance(1)
      const fn = await deploying
      expect(operation()?.done).toBe(true)
      expect(functionState(record()?.resource.state)).toBe('ACTIVE')
      expect(await fn.invoke({ value: 'ok' })).toEqual({ value: 'ok' })
    },
    GUARD.timeout,
  )
})
