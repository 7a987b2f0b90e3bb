import { describe, expect, it } from 'vitest'
import { COOKIE_LINES, cookies, ELSEWHERE, keyed, open } from '../__fixtures__/http-functions.ts'
import { KIT_SCOPE, type Kit, kitPerTest } from '../__fixtures__/test-kit.ts'
import { appName } from '../names.ts'

const startKit = kitPerTest()

const app = appName(KIT_SCOPE, 'keyed-calls')

/** Every host the process sent a request to while the kit listens. */
function hostsSeen(current: Kit): string[] {
  const hosts: string[] = []
  current.emulator.listen().events.on('request:start', ({ request }) => hosts.push(new URL(request.url).host))
  return hosts
}

describe('azure fetch() on an HTTP function', () => {
  it.each([
    ['a key-protected', keyed],
    ['a public', open],
  ])('hands a redirect to another origin from %s function back as it is, sending nothing there', async (_, definition) => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(definition)
    const hosts = hostsSeen(kit)
    const response = await fn.fetch('/away')
    expect([response.status, response.headers.get('location')]).toEqual([302, ELSEWHERE])
    expect(hosts).not.toContain(new URL(ELSEWHERE).host)
    expect(kit.emulator.state.executions.get(definition.name)).toBe(1)
  })

  it("returns the handler's own 401 without running it again", async () => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(keyed)
    const denied = await fn.fetch('/deny', { method: 'POST', body: 'charge card' })
    expect([denied.status, await denied.text()]).toEqual([401, 'not you'])
    expect(kit.emulator.state.executions.get('keyed-calls')).toBe(1)
  })

  it('sends the request again with a rotated key, which the host refused before running anything', async () => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(keyed)
    const site = kit.emulator.state.site(app)
    if (!site) throw new Error('no site')
    site.functionKeys.set('cloudfn', { default: 'a-new-function-key' })
    site.hostKey = 'a-new-host-key'
    site.masterKey = 'a-new-master-key'
    const response = await fn.fetch('/', { method: 'POST', body: 'once' })
    expect([response.status, await response.text()]).toEqual([200, 'once'])
    expect(kit.emulator.state.executions.get('keyed-calls')).toBe(1)
  })
})

describe('azure HTTP responses', () => {
  it('keeps every Set-Cookie line as the function wrote it', async () => {
    const kit = startKit()
    const fn = await kit.cloud.deploy(cookies)
    const response = await fn.fetch('/')
    expect(response.headers.getSetCookie()).toEqual(COOKIE_LINES)
    expect([response.headers.get('x-before'), response.headers.get('x-after'), await response.text()]).toEqual([
      'one',
      'two',
      'ok',
    ])
  })
})
