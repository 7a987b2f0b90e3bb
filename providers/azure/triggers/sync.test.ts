import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { echo } from '../../../conformance/fixtures/functions.ts'
import { KIT_SCOPE, kitPerTest } from '../__fixtures__/test-kit.ts'
import { mapArmError } from '../errors.ts'
import { appName } from '../names.ts'

const startKit = kitPerTest()

const scope = KIT_SCOPE
const SYNC = /\/syncfunctiontriggers$/i

// The spec says 204; the real service answers 200 (Azure/azure-rest-api-specs#1275, azure-sdk-for-js#16996).
describe('azure trigger sync', () => {
  it('answers 200 on the emulator, as the real service does', async () => {
    const kit = startKit()
    await kit.cloud.deploy(echo)
    const statuses: number[] = []
    kit.server.events.on('response:mocked', ({ request, response }) => {
      if (SYNC.test(new URL(request.url).pathname)) statuses.push(response.status)
    })
    await kit.cloud.deploy(echo, { name: 'echo-2' })
    expect(statuses).toEqual([200])
  })

  it('deploys whether the service answers 200 or the 204 of the spec, and fails on an error', async () => {
    const kit = startKit({ retry: { maxAttempts: 1 } })
    expect((await kit.cloud.deploy(echo, { name: 'two-hundred' })).status).toBe('created')
    kit.server.use(http.post(SYNC, () => new HttpResponse(null, { status: 204 }), { once: true }))
    expect((await kit.cloud.deploy(echo, { name: 'two-o-four' })).status).toBe('created')
    kit.server.use(
      http.post(SYNC, () => HttpResponse.json({ error: { code: 'BadRequest', message: 'no' } }, { status: 400 }), {
        once: true,
      }),
    )
    const error = await caughtError(kit.cloud.deploy(echo, { name: 'refused' }))
    expect(error.message).toBe(
      `azure syncing the triggers of app '${appName(scope, 'refused')}' failed with HTTP 400 (BadRequest: no)`,
    )
  })

  it('words ARM errors without a doubled "of"', () => {
    const error = mapArmError({ statusCode: 500, code: 'InternalError', message: 'x' }, 'syncing the triggers of', "app 'a'")
    expect(error.message).toBe("azure syncing the triggers of app 'a' failed with HTTP 500 (InternalError: x)")
    expect(mapArmError({ statusCode: 403, code: 'Forbidden' }, 'reading', "app 'a'").message).toMatch(
      /^Azure refused reading of app 'a'/,
    )
  })
})
