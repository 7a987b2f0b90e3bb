import { afterEach, describe, expect, it } from 'vitest'
import { ELSEWHERE, keyed, open } from '../__fixtures__/http-functions.ts'
import { type Kit, SUBSCRIPTION, startKit } from '../__fixtures__/test-kit.ts'
import { appName } from '../names.ts'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.close()
  kit = undefined
})

const app = appName({ subscriptionId: SUBSCRIPTION, resourceGroup: 'cloudfn-tests' }, 'keyed-calls')

/** Every host the process sent a request to while the kit listens. */
function hostsSeen(current: Kit): string[] {
  const hosts: string[] = []
  current.emulator.listen().events.on('request:start', ({ request }) => hosts.push(new URL(request.url).host))
  return hosts
}

describe('azure fetch() on an HTTP function', () => {
  it('hands a redirect to another origin back as it is, sending nothing there', async () => {
    kit = startKit()
    const fn = await kit.cloud.deploy(keyed)
    const hosts = hostsSeen(kit)
    const response = await fn.fetch('/away')
    expect([response.status, response.headers.get('location')]).toEqual([302, ELSEWHERE])
    expect(hosts).not.toContain(new URL(ELSEWHERE).host)
    expect(kit.emulator.state.executions.get(app)).toBe(1)
  })

  it('hands a redirect back as it is from a public function too', async () => {
    kit = startKit()
    const fn = await kit.cloud.deploy(open)
    const hosts = hostsSeen(kit)
    const response = await fn.fetch('/away')
    expect([response.status, response.headers.get('location')]).toEqual([302, ELSEWHERE])
    expect(hosts).not.toContain(new URL(ELSEWHERE).host)
  })
})
