import { inspect } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { crash, echo, readEnv, sleep } from '../../conformance/fixtures/functions.ts'
import { observeResults } from '../../conformance/same-results.ts'
import { withOverrides } from '../../src/define.ts'
import { exits } from '../../test/fixtures/behaviours.ts'
import { local } from '../local/index.ts'
import { brokenAtLoad } from './__fixtures__/broken-at-load.ts'
import { KIT_SCOPE, kitPerTest, SUBSCRIPTION } from './__fixtures__/test-kit.ts'
import { mapArmError } from './errors.ts'
import { azure } from './index.ts'
import { appName } from './names.ts'

const startKit = kitPerTest()

describe('azure settings', () => {
  it('rejects bad settings naming the field, before any request', () => {
    const base = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', location: 'westeurope' }
    expect(() => azure({ ...base, subscriptionId: 'nope' })).toThrow(/settings\.subscriptionId/)
    expect(() => azure({ ...base, location: 'West Europe' })).toThrow(/settings\.location/)
    expect(() => azure({ ...base, typo: 1 } as never)).toThrow(/typo/)
    expect(() => azure({ ...base, credential: {} as never })).toThrow(/settings\.credential/)
  })
})

describe('azure provider on the emulator', () => {
  it('gives the same results and errors as the local fake for the same inputs', async () => {
    const kit = startKit()
    expect(await observeResults(kit.cloud)).toEqual(await observeResults(local({ isolation: 'worker' })))
  })

  it('creates the Flex infrastructure and app, and skips an unchanged redeploy', async () => {
    const kit = startKit()
    const { cloud, emulator } = kit
    const fn = await cloud.deploy(readEnv, { name: 'env-app' })
    expect(fn.status).toBe('created')
    // The envelope endpoint invoke calls is internal: only HTTP functions show a url.
    expect(fn.url).toBeUndefined()
    expect(fn.warnings.map((warning) => warning.setting)).toEqual(['memoryMb'])
    const site = emulator.state.site(appName(KIT_SCOPE, 'env-app'))
    expect(site?.functionAppConfig).toMatchObject({
      runtime: { name: 'node', version: '22' },
      scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 100 },
    })
    expect(site?.appSettings).toMatchObject({ MODE: 'fast', AzureFunctionsJobHost__functionTimeout: '00:01:00' })
    expect([...emulator.state.plans.values()][0]).toMatchObject({ sku: { name: 'FC1', tier: 'FlexConsumption' }, reserved: true })
    expect(site?.tags['cloudfn:managed']).toBe('true')
    const before = emulator.state.requestCount
    expect((await cloud.deploy(readEnv, { name: 'env-app' })).status).toBe('unchanged')
    expect(emulator.state.requestCount - before).toBe(1)
    expect((await cloud.list()).map((record) => [record.name, record.envKeys])).toEqual([['env-app', ['GREETING', 'MODE']]])
  })

  it('rounds memory up to a Flex instance size and rejects what Flex cannot do', async () => {
    const kit = startKit()
    const big = await kit.cloud.deploy(withOverrides(echo, { memoryMb: 3000 }), { name: 'big' })
    expect(big.memoryMb).toBe(3000)
    expect(big.warnings[0]?.message).toMatch(/rounded up to 4096/)
    expect(kit.emulator.state.site(appName(KIT_SCOPE, 'big'))?.functionAppConfig).toMatchObject({
      scaleAndConcurrency: { instanceMemoryMB: 4096 },
    })
    const before = kit.emulator.state.requestCount
    await expect(kit.cloud.deploy(withOverrides(echo, { memoryMb: 8192 }), { name: 'huge' })).rejects.toMatchObject({
      field: 'memoryMb',
    })
    await expect(kit.cloud.deploy(withOverrides(echo, { timeoutSec: 231 }), { name: 'slow' })).rejects.toMatchObject({
      field: 'timeoutSec',
    })
    expect(kit.emulator.state.requestCount).toBe(before)
  })

  it('retries ARM throttling, 5xx, resets and slow operations; a failed operation surfaces', async () => {
    const kit = startKit({ retry: { maxAttempts: 6 } })
    const { faults, state } = kit.emulator
    faults.inject({ on: 'arm', kind: 'throttle', retryAfterSec: 0, match: /^PUT .*\/sites\// })
    faults.inject({ on: 'arm', kind: 'server-error', status: 503, match: /serverfarms/ })
    faults.inject({ on: 'arm', kind: 'reset', match: /listKeys/i })
    faults.inject({ on: 'scm', kind: 'server-error', status: 502, match: /publish/ })
    faults.lro({ polls: 5 })
    const fn = await kit.cloud.deploy(echo, { name: 'bumpy' })
    expect(await fn.invoke({ ok: 1 })).toEqual({ ok: 1 })
    expect(state.executions.get('bumpy')).toBe(1)

    faults.lro({ error: { code: 'InternalError', message: 'the operation failed' }, times: 10 })
    const error = await caughtError(kit.cloud.deploy(echo, { name: 'doomed' }))
    expect(error.message).toMatch(/the operation failed/)
  })

  it('maps ARM errors to cloudfn errors', () => {
    const headers = { get: (name: string) => (name === 'retry-after' ? '2' : undefined) }
    expect(mapArmError({ statusCode: 429, code: 'TooManyRequests', response: { headers } }, 'x', 'y')).toMatchObject({
      code: 'Throttled',
      retryAfterMs: 2000,
    })
    expect(mapArmError({ statusCode: 404, code: 'ResourceNotFound' }, 'x', 'y').code).toBe('NotFound')
    expect(mapArmError({ statusCode: 403, code: 'AuthorizationFailed' }, 'x', 'y').code).toBe('Unauthorized')
    expect(mapArmError({ statusCode: 409, code: 'Conflict' }, 'x', 'y')).toMatchObject({ code: 'Conflict', isRetryable: true })
    expect(mapArmError({ statusCode: 400, code: 'BadRequest' }, 'x', 'y')).toMatchObject({
      code: 'ProviderError',
      isRetryable: false,
    })
    expect(mapArmError({ statusCode: 500 }, 'x', 'y')).toMatchObject({ code: 'ProviderError', isRetryable: true, status: 500 })
    expect(mapArmError({ code: 'REQUEST_SEND_ERROR' }, 'x', 'y').isRetryable).toBe(true)
  })

  it('gives Unauthorized for a refused token and Conflict for a name taken elsewhere', async () => {
    const refusing = startKit({ emulator: { acceptToken: (token) => token === 'good' }, token: 'bad' })
    expect((await caughtError(refusing.cloud.deploy(echo, { name: 'nope' }))).code).toBe('Unauthorized')
    await refusing.close()
    const kit = startKit()
    kit.emulator.state.foreignSiteNames.add(appName(KIT_SCOPE, 'taken'))
    const error = await caughtError(kit.cloud.deploy(echo, { name: 'taken' }))
    expect(error).toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(error.message).toMatch(/taken elsewhere/)
  })

  it('fails a deploy whose package the host cannot load, without retrying it', async () => {
    const kit = startKit()
    const error = await caughtError(kit.cloud.deploy(brokenAtLoad))
    expect(error).toMatchObject({ code: 'ProviderError', isRetryable: false })
    expect(error.message).toMatch(/boom while loading/)
    expect(kit.emulator.state.site(appName(KIT_SCOPE, 'broken-at-load'))?.deployments).toHaveLength(1)
  })

  it('never runs a synchronous invoke twice', async () => {
    const kit = startKit()
    const { faults, state } = kit.emulator
    const fn = await kit.cloud.deploy(sleep, { name: 'once' })
    const runs = () => state.executions.get('once') ?? 0

    faults.inject({ on: 'host', kind: 'throttle', retryAfterSec: 0 })
    expect(await fn.invoke({ ms: 1 })).toEqual({ sleptMs: 1 })
    expect(runs()).toBe(1)

    faults.inject({ on: 'host', kind: 'fail-after-run' })
    expect((await caughtError(fn.invoke({ ms: 1 }))).code).toBe('ProviderError')
    expect(runs()).toBe(2)

    // Far past its 1 s timeout: no pause of a loaded machine lets it answer first.
    expect((await caughtError(fn.invoke({ ms: 60_000 }))).code).toBe('Timeout')
    expect(runs()).toBe(3)

    faults.inject({ on: 'host', kind: 'server-error', status: 502 })
    expect((await caughtError(fn.invoke({ ms: 1 }))).code).toBe('ProviderError')
    expect(runs()).toBe(3)
  })

  it('does not lose a call that starts on a worker ending after a crash: it is retried on the next worker', async () => {
    const kit = startKit({ retry: { baseDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 5 } })
    const fn = await kit.cloud.deploy(crash)
    expect((await caughtError(fn.invoke({ kind: 'exit' }))).code).toBe('FunctionError')
    // 800 ms of work starting within the crashed worker's 500 ms grace: it would die with that worker.
    expect(await fn.invoke({ kind: 'slow-ok' })).toBe('ok')
  })

  it('reports a crashed worker as a FunctionError, a bare 500 from the host as a ProviderError, and refreshes a rotated key once', async () => {
    // The client's default pacing: a Retry-After of 1 s is honoured as users' clients honour it.
    const kit = startKit({ retry: { baseDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 5 } })
    const crashed = await kit.cloud.deploy(exits)
    // The shim answers the exit with its envelope before the worker ends (crash-guard.ts).
    const error = await caughtError(crashed.invoke({ exit: true }))
    expect(error.code).toBe('FunctionError')
    expect(error.message).toMatch(/exited with code 3 before answering/)
    // A call right after reaches the worker while it ends: not run there but answered 429 (Retry-After), and the
    // retry is served by the next worker. Before, it ran on the ending worker and died with it: a bare 500.
    expect(await crashed.invoke({ exit: false })).toBe('alive')
    // The host's own failure: the same bare 500 a crash gave before the shim answered crashes.
    kit.emulator.faults.inject({ on: 'host', kind: 'server-error', status: 500 })
    const platform = await caughtError(crashed.invoke({ exit: false }))
    expect(platform.code).toBe('ProviderError')
    expect(platform).toMatchObject({ status: 500, notExecuted: false })

    const fn = await kit.cloud.deploy(echo, { name: 'rotated' })
    const site = kit.emulator.state.site(appName(KIT_SCOPE, 'rotated'))
    if (!site) throw new Error('no site')
    site.functionKeys.set('cloudfn', { default: 'a-new-function-key' })
    site.hostKey = 'a-new-host-key'
    site.masterKey = 'a-new-master-key'
    expect(await fn.invoke('still works')).toBe('still works')
    expect(kit.emulator.state.executions.get('rotated')).toBe(1)
  })

  it('refreshes a rotated key with one lookup for many concurrent calls', async () => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(echo, { name: 'many-rotated' })
    expect(await fn.invoke('warm')).toBe('warm')
    const site = kit.emulator.state.site(appName(KIT_SCOPE, 'many-rotated'))
    if (!site) throw new Error('no site')
    site.functionKeys.set('cloudfn', { default: 'another-function-key' })
    let keyLookups = 0
    kit.emulator.listen().events.on('request:start', ({ request }) => {
      if (/\/functions\/[^/]+\/listkeys/i.test(new URL(request.url).pathname)) keyLookups++
    })
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => fn.invoke(i)))
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(keyLookups).toBe(1)
  })

  it('removes the app, its plan and its container; a missing function is NotFound', async () => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(echo, { name: 'short-lived' })
    expect(await fn.remove()).toEqual({ removed: true })
    const { state } = kit.emulator
    expect(state.sites.size).toBe(0)
    expect(state.plans.size).toBe(0)
    expect([...state.storageAccounts.values()][0]?.containers.size).toBe(0)
    expect((await caughtError(fn.invoke(1))).code).toBe('NotFound')
    expect((await caughtError(kit.cloud.get('short-lived'))).code).toBe('NotFound')
  })

  it('never puts keys, tokens or connection strings in handles, errors or logs', async () => {
    const secrets = {
      functionKey: 'FAKEFUNCTIONKEY0123456789',
      hostKey: 'FAKEHOSTKEY0123456789',
      masterKey: 'FAKEMASTERKEY0123456789',
      storage: 'FAKESTORAGEKEY0123456789',
    }
    const token = 'FAKEARMTOKEN0123456789'
    const kit = startKit({ emulator: { secrets }, token })
    const printed: string[] = []
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((arg) => inspect(arg)).join(' '))
      }),
    )
    const texts: string[] = []
    try {
      const fn = await kit.cloud.deploy(echo, { name: 'secretive' })
      texts.push(
        JSON.stringify(fn),
        inspect(fn, { depth: 5 }),
        JSON.stringify(await kit.cloud.list()),
        JSON.stringify(await kit.cloud.get('secretive')),
      )
      const { faults } = kit.emulator
      faults.inject({ on: 'arm', kind: 'server-error', status: 400, code: 'BadRequest', times: 5 })
      faults.inject({ on: 'scm', kind: 'server-error', status: 401, times: 5 })
      const site = kit.emulator.state.site(appName(KIT_SCOPE, 'secretive'))
      if (site) site.functionKeys.set('cloudfn', { default: 'other' })
      if (site) site.hostKey = 'other-host'
      for (const failing of [kit.cloud.get('secretive'), fn.invoke(1), kit.cloud.deploy(readEnv, { name: 'secretive' })]) {
        const error = await caughtError(failing)
        texts.push(error.message, String(error.stack), JSON.stringify(error), inspect(error, { depth: 5 }))
      }
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
    const all = [...texts, ...printed].join('\n')
    for (const secret of [...Object.values(secrets), token]) expect(all).not.toContain(secret)
  })
})
