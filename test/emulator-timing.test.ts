/**
 * The emulators' `timing` presets: `'fast'` by default (milliseconds, every
 * transition still observable), `'realistic'` for the clouds' documented
 * durations, and explicit options winning over either.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createAwsEmulator } from '../providers/aws/emulator/index.ts'
import { type AzureEmulator, createAzureEmulator } from '../providers/azure/emulator/index.ts'
import { createGcpEmulator } from '../providers/gcp/emulator/index.ts'

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
