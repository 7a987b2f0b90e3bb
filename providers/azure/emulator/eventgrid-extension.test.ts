import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topicRecorder } from '../../../conformance/fixtures/topics.ts'
import { type Kit, SUBSCRIPTION, startKit } from '../__fixtures__/test-kit.ts'
import { TOPIC_FUNCTION } from '../constants.ts'
import { appName } from '../names.ts'
import { eventGridWebhook } from './eventgrid-extension.ts'

let kit: Kit
beforeAll(async () => {
  kit = startKit()
  await kit.cloud.deploy(topicRecorder, { name: 'hooked' })
})
afterAll(() => kit.close())

/** One request to the app's Event Grid webhook, as Event Grid sends it; the status and body the extension answers. */
async function post(functionName: string, eventType: string | undefined, body: unknown) {
  const site = kit.emulator.state.site(appName({ subscriptionId: SUBSCRIPTION, resourceGroup: 'cloudfn-tests' }, 'hooked'))
  if (!site) throw new Error('no site')
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (eventType) headers['aeg-event-type'] = eventType
  const request = new Request(`https://${site.name}.azurewebsites.net/runtime/webhooks/eventgrid?functionName=${functionName}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  })
  const response = await eventGridWebhook(kit.emulator.state, site, request)
  return { status: response.status, body: await response.text() }
}

describe("the host's Event Grid extension (HttpRequestProcessor, EventGridExtensionConfigProvider)", () => {
  it('answers the handshake, unsubscribe and unknown event types as the extension does', async () => {
    const validation = [
      { id: '1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'abc' } },
    ]
    expect(await post(TOPIC_FUNCTION, 'SubscriptionValidation', validation)).toEqual({
      status: 200,
      body: JSON.stringify({ validationResponse: 'abc' }),
    })
    expect((await post(TOPIC_FUNCTION, 'Unsubscribe', [])).status).toBe(202)
    expect((await post(TOPIC_FUNCTION, 'Other', [])).status).toBe(400)
    expect((await post(TOPIC_FUNCTION, undefined, [])).status).toBe(400)
    expect(await post('missing', 'Notification', [])).toEqual({ status: 404, body: "cannot find function: 'missing'" })
  })

  it('runs the function once per event of a notification: 202 when all succeed', async () => {
    const before = (await kit.emulator.probe().executions('hooked')) ?? 0
    const event = (id: string) => ({
      id,
      subject: 's',
      eventType: 't',
      eventTime: new Date(0).toISOString(),
      dataVersion: '1',
      data: { message: id },
    })
    expect((await post(TOPIC_FUNCTION, 'Notification', [event('a'), event('b')])).status).toBe(202)
    expect(await kit.emulator.probe().executions('hooked')).toBe(before + 2)
  })
})
