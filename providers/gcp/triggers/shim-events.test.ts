import { describe, expect, it } from 'vitest'
import { defineFunction } from '../../../src/define.ts'
import { http } from '../../../src/triggers/http.ts'
import { recordingResponse } from '../__fixtures__/recording-response.ts'
import { createEntry, type HttpRequestLike } from '../shim.ts'
import { storedTrigger, triggerEnv } from './stored.ts'

const echoRequest = defineFunction({
  name: 'web',
  trigger: http({ auth: 'iam' }),
  handler: async (request) => {
    const headers = new Headers({ 'x-reply': 'a' })
    headers.append('x-reply', 'b')
    headers.append('set-cookie', 'one=1')
    headers.append('set-cookie', 'two=2')
    const body = Buffer.from(await request.arrayBuffer()).toString('base64')
    return Response.json(
      { url: request.url, auth: request.headers.get('authorization'), multi: request.headers.get('x-multi'), body },
      { status: 202, headers },
    )
  },
})

const worker = defineFunction({
  name: 'worker',
  handler: (message: { fail?: boolean; scheduledTime?: string }) => {
    if (message.fail) throw new Error('no')
    return message
  },
})

const entryOf = (definition: Parameters<typeof createEntry>[0], trigger: unknown) =>
  createEntry({ ...definition, trigger } as Parameters<typeof createEntry>[0])

describe('gcp shim: native events', () => {
  it("gives an HTTP function the request as sent (without the IAM token) and answers its Response's repeated headers and bytes", async () => {
    const entry = entryOf(echoRequest, echoRequest.trigger)
    const { res, sent } = recordingResponse()
    const req: HttpRequestLike = {
      method: 'POST',
      originalUrl: '/a/b?x=1&x=2',
      rawHeaders: ['Host', 'web-abc-uc.a.run.app', 'Authorization', 'Bearer t', 'X-Multi', 'one', 'X-Multi', 'two'],
      rawBody: Uint8Array.from([0, 255, 10]),
      headers: { host: 'web-abc-uc.a.run.app', authorization: 'Bearer t', 'x-multi': 'one, two' },
    }
    await entry(req, res)
    expect(sent.status).toBe(202)
    expect(sent.headers['x-reply']).toBe('a, b')
    expect(sent.headers['set-cookie']).toEqual(['one=1', 'two=2'])
    expect(JSON.parse(sent.body.toString('utf8'))).toEqual({
      url: 'https://web-abc-uc.a.run.app/a/b?x=1&x=2',
      auth: null,
      multi: 'one, two',
      body: Buffer.from([0, 255, 10]).toString('base64'),
    })
  })

  it('keeps Authorization for a public HTTP function: it is the caller’s own header there', async () => {
    const entry = entryOf(echoRequest, http({ auth: 'public' }))
    const { res, sent } = recordingResponse()
    await entry(
      { method: 'GET', originalUrl: '/', rawHeaders: ['host', 'h', 'authorization', 'Basic x'], headers: { host: 'h' } },
      res,
    )
    expect(JSON.parse(sent.body.toString('utf8')).auth).toBe('Basic x')
  })

  it('turns a Cloud Scheduler call into { scheduledTime }, answering 500 when the handler fails', async () => {
    const entry = entryOf(worker, { kind: 'schedule' })
    const { res, sent } = recordingResponse()
    const headers = { 'x-cloudscheduler': 'true', 'x-cloudscheduler-scheduletime': '2026-01-01T00:05:00+00:00' }
    await entry({ rawBody: Buffer.from('{}'), headers }, res)
    expect(sent.status).toBe(200)
    expect(JSON.parse(sent.body.toString('utf8')).value).toEqual({ scheduledTime: '2026-01-01T00:05:00.000Z' })
  })

  it('decodes a Pub/Sub CloudEvent over HTTP and with the cloudevent signature; a failure asks for redelivery', async () => {
    const entry = entryOf(worker, { kind: 'queue' })
    const message = (data: object) => ({
      message: { data: Buffer.from(JSON.stringify(data)).toString('base64'), messageId: '1' },
    })
    const ce = {
      'ce-id': '1',
      'ce-source': 's',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    }
    const ok = recordingResponse()
    await entry({ rawBody: Buffer.from(JSON.stringify(message({ id: 1 }))), headers: ce }, ok.res)
    expect(ok.sent.status).toBe(204)
    const failed = recordingResponse()
    await entry({ rawBody: Buffer.from(JSON.stringify(message({ fail: true }))), headers: ce }, failed.res)
    expect(failed.sent.status).toBe(500)
    const outcomes: Array<Error | null> = []
    await entry({ id: '2', data: message({ id: 2 }) }, (error) => outcomes.push(error))
    await entry({ id: '3', data: message({ fail: true }) }, (error) => outcomes.push(error))
    expect(outcomes.map((error) => error === null)).toEqual([true, false])
  })

  it('stores the trigger in an environment variable and reads back only a valid one', () => {
    const trigger = http({ auth: 'public', methods: ['GET'] })
    expect(storedTrigger(triggerEnv(trigger))).toEqual(trigger)
    expect(storedTrigger({ CLOUDFN_TRIGGER: '{"kind":"nope"}' })).toBeUndefined()
    expect(storedTrigger({ CLOUDFN_TRIGGER: 'not json' })).toBeUndefined()
    expect(triggerEnv(undefined)).toEqual({})
  })
})
