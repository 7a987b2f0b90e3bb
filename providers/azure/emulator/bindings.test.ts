import { describe, expect, it } from 'vitest'
import { ticker, worker } from '../../../conformance/fixtures/functions.ts'
import { rewriteHostJson, withoutBundle } from '../__fixtures__/rewrite-package.ts'
import { KIT_SCOPE, kitPerTest } from '../__fixtures__/test-kit.ts'
import { appName } from '../names.ts'
import { indexFunctions, parseHostConfig } from './host-config.ts'
import type { FunctionRegistration } from './protocol.ts'

const startKit = kitPerTest()

const scope = KIT_SCOPE
const hostJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const BUNDLE = { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' }

const http: FunctionRegistration = {
  kind: 'http',
  name: 'cloudfn',
  route: 'api/cloudfn',
  methods: ['POST'],
  authLevel: 'function',
}
const queue: FunctionRegistration = { kind: 'queue', name: 'cloudfn-queue', queueName: '%Q%', connection: 'AzureWebJobsStorage' }
const timer: FunctionRegistration = { kind: 'timer', name: 'cloudfn-timer', schedule: '0 */5 * * * *' }
const registered = {
  functions: [http, queue, timer],
  bindingTypes: { cloudfn: ['httpTrigger', 'http'], 'cloudfn-queue': ['queueTrigger'], 'cloudfn-timer': ['timerTrigger'] },
}

// Messages from Azure/azure-functions-host FunctionDescriptorProvider.CreateBindingError.
describe('the emulated host registers bindings as the real one does', () => {
  it('without an extension bundle, puts a queue function in error and indexes only HTTP and timer functions', () => {
    const indexed = indexFunctions(parseHostConfig(hostJson({ version: '2.0' })), registered)
    expect(indexed.functions).toEqual([http, timer])
    expect(indexed.errors).toEqual({
      'cloudfn-queue':
        "The binding type(s) 'queueTrigger' are not registered. Please ensure the type is correct and the binding extension is installed.",
    })
  })

  it('with the bundle, indexes every function; with a range no bundle matches, the host indexes none', () => {
    expect(indexFunctions(parseHostConfig(hostJson({ version: '2.0', extensionBundle: BUNDLE })), registered)).toEqual({
      functions: [http, queue, timer],
      errors: {},
    })
    const config = parseHostConfig(hostJson({ version: '2.0', extensionBundle: { ...BUNDLE, version: '[9.*, 10.0.0)' } }))
    expect(config.hostError).toBe('Bundle version matching the range [9.*, 10.0.0) was not found.')
    expect(indexFunctions(config, registered).functions).toEqual([])
    expect(parseHostConfig(hostJson({ extensionBundle: { ...BUNDLE, version: '[4.0.0, 5.0.0)' } })).hostError).toBeUndefined()
    expect(parseHostConfig(hostJson({ extensionBundle: { ...BUNDLE, version: '4.0.0' } })).hostError).toBeUndefined()
    expect(parseHostConfig(hostJson({ extensionBundle: { ...BUNDLE, id: 'Other' } })).hostError).toMatch(/'Other' was not found/)
  })

  it('reads the route prefix, `api` unless host.json empties or changes it', () => {
    expect(parseHostConfig(hostJson({})).routePrefix).toBe('api')
    expect(parseHostConfig(hostJson({ extensions: { http: { routePrefix: '/x/' } } })).routePrefix).toBe('x')
    expect(parseHostConfig(hostJson({ extensions: { http: { routePrefix: '' } } })).routePrefix).toBe('')
  })

  it('lists a deployed queue function only when its package ships the bundle', async () => {
    const kit = startKit()
    await kit.cloud.deploy(worker)
    const site = kit.emulator.state.site(appName(scope, 'worker'))
    expect(site?.listedFunctions.map((fn) => fn.name)).toEqual(['cloudfn', 'cloudfn-queue'])

    rewriteHostJson(kit, withoutBundle)
    await expect(kit.cloud.deploy(worker, { name: 'no-bundle' })).rejects.toThrow(/'cloudfn-queue'/)
    const bare = kit.emulator.state.site(appName(scope, 'no-bundle'))
    expect(bare?.listedFunctions.map((fn) => fn.name)).toEqual(['cloudfn'])
    expect(bare?.app?.functionErrors).toEqual({
      'cloudfn-queue':
        "The binding type(s) 'queueTrigger' are not registered. Please ensure the type is correct and the binding extension is installed.",
    })
    // The timer is the host's own: it loads without the bundle.
    await kit.cloud.deploy(ticker)
    expect(kit.emulator.state.site(appName(scope, 'ticker'))?.listedFunctions.map((fn) => fn.name)).toEqual([
      'cloudfn',
      'cloudfn-timer',
    ])
  })
})
