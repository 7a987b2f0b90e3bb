import { describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { ticker, worker } from '../../conformance/fixtures/functions.ts'
import { brokenAtLoad } from './__fixtures__/broken-at-load.ts'
import { rewriteHostJson, withoutBundle } from './__fixtures__/rewrite-package.ts'
import { KIT_SCOPE, kitPerTest } from './__fixtures__/test-kit.ts'
import { appName } from './names.ts'
import { fieldsFromSite } from './record.ts'

const startKit = kitPerTest()

describe('azure deploy waits for every function of the app', () => {
  it('ships host.json with the current extension bundle range', async () => {
    const kit = startKit()
    let hostJson: unknown
    rewriteHostJson(kit, (published) => {
      hostJson = published
      return published
    })
    await kit.cloud.deploy(worker)
    expect(hostJson).toEqual({
      version: '2.0',
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
      extensions: { http: { routePrefix: '' } },
    })
  })

  it('fails, naming the queue function, when the host lists only the envelope endpoint', async () => {
    const kit = startKit()
    rewriteHostJson(kit, withoutBundle)
    const error = await caughtError(kit.cloud.deploy(worker))
    expect(error).toMatchObject({ code: 'ProviderError', isRetryable: false })
    expect(error.message).toMatch(/did not list the function 'cloudfn-queue'/)
    expect(error.message).toMatch(/extensionBundle \(Microsoft\.Azure\.Functions\.ExtensionBundle\)/)
    // Not recorded as deployed: the next deploy redoes the upload instead of answering "unchanged".
    const site = kit.emulator.state.site(appName(KIT_SCOPE, 'worker'))
    expect(site && fieldsFromSite(site)?.codeHash).toBe('')
  })

  it('succeeds once the timer function is listed beside the envelope endpoint', async () => {
    const kit = startKit()
    expect((await kit.cloud.deploy(ticker)).status).toBe('created')
  })

  it('fails at once with the host status errors when the package does not load, as the host reports it', async () => {
    const kit = startKit()
    let listings = 0
    kit.server.events.on('request:start', ({ request }) => {
      if (request.method === 'GET' && /\/sites\/[^/]+\/functions$/i.test(new URL(request.url).pathname)) listings++
    })
    const error = await caughtError(kit.cloud.deploy(brokenAtLoad))
    expect(error.message).toBe(
      `The app '${appName(KIT_SCOPE, 'broken-at-load')}' was deployed but its host is in error: Worker was unable to load entry point "index.mjs": boom while loading`,
    )
    // OneDeploy only puts the package in place: the deployment succeeds, the host lists nothing.
    const site = kit.emulator.state.site(appName(KIT_SCOPE, 'broken-at-load'))
    expect(site?.deployments.map((deployment) => deployment.status)).toEqual([4])
    expect(site?.listedFunctions).toEqual([])
    expect(listings).toBe(1)
    const url = `https://${appName(KIT_SCOPE, 'broken-at-load')}.azurewebsites.net/admin/host/status`
    expect((await fetch(url)).status).toBe(401)
    const status = await fetch(url, { headers: { 'x-functions-key': site?.masterKey ?? '' } })
    expect(await status.json()).toMatchObject({
      state: 'Error',
      errors: ['Worker was unable to load entry point "index.mjs": boom while loading'],
    })
  })
})
