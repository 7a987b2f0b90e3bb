/**
 * Shapes the emulator's Google APIs answer with, against the published protos
 * (googleapis/googleapis) and documentation named beside each case.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { PubsubModel } from './pubsub.ts'
import { SchedulerModel } from './scheduler.ts'

const TOPIC = 'projects/p/topics/t'
const models: Array<{ close(): void }> = []
afterEach(() => {
  for (const model of models.splice(0)) model.close()
})

/** A Pub/Sub model whose push deliveries are recorded (and answered 204). */
function recordingPubsub() {
  const pushed: unknown[] = []
  const pubsub = new PubsubModel(
    async (request) => {
      pushed.push(await request.json())
      return new Response(null, { status: 204 })
    },
    { queueRetryDelayMs: 1 },
  )
  models.push(pubsub)
  pubsub.topics.set(TOPIC, { name: TOPIC })
  pubsub.topics.set(`${TOPIC}-dead`, { name: `${TOPIC}-dead` })
  return { pubsub, pushed }
}

const subscribe = (pubsub: PubsubModel, name: string, deadLetter: boolean) =>
  pubsub.subscriptions.set(name, {
    resource: {
      name,
      topic: TOPIC,
      pushConfig: { pushEndpoint: 'https://f-abc-uc.a.run.app/' },
      ...(deadLetter ? { deadLetterPolicy: { deadLetterTopic: `${TOPIC}-dead`, maxDeliveryAttempts: 5 } } : {}),
    },
    backlog: [],
  })

async function delivered(pushed: unknown[], count: number) {
  // A hang guard only: deliveries are started at publish time.
  for (let waited = 0; pushed.length < count && waited < 10_000; waited += 5) await new Promise((r) => setTimeout(r, 5))
  return pushed
}

describe('gcp emulator API shapes', () => {
  it('pushes deliveryAttempt beside the message, and only with a dead-letter policy (push docs; pubsub.proto ReceivedMessage)', async () => {
    const { pubsub, pushed } = recordingPubsub()
    subscribe(pubsub, 'projects/p/subscriptions/with', true)
    pubsub.publish(TOPIC, [{ data: Buffer.from('1').toString('base64') }])
    const [withPolicy] = (await delivered(pushed, 1)) as Array<Record<string, unknown>>
    expect(withPolicy).toMatchObject({ subscription: 'projects/p/subscriptions/with', deliveryAttempt: 1 })
    expect(withPolicy?.message).not.toHaveProperty('deliveryAttempt')
    expect(withPolicy?.message).toMatchObject({ data: 'MQ==', messageId: expect.any(String), message_id: expect.any(String) })

    pubsub.removeSubscription('projects/p/subscriptions/with')
    subscribe(pubsub, 'projects/p/subscriptions/without', false)
    pubsub.publish(TOPIC, [{ data: Buffer.from('2').toString('base64') }])
    const [, without] = (await delivered(pushed, 2)) as Array<Record<string, unknown>>
    expect(without).not.toHaveProperty('deliveryAttempt')
  })

  it('refuses a topic or subscription ID Pub/Sub refuses: under 3 characters, not a letter first, "goog" first (admin#resource_names)', async () => {
    const { pubsub } = recordingPubsub()
    const handle = pubsub.handler()
    const put = (path: string) =>
      handle(
        new Request(`https://pubsub.googleapis.com/v1/projects/p/${path}`, {
          method: 'PUT',
          headers: { authorization: 'Bearer fake', 'content-type': 'application/json' },
          body: JSON.stringify(path.startsWith('subscriptions/') ? { topic: TOPIC } : {}),
        }),
      )
    for (const path of ['topics/ab', 'topics/1abc', 'topics/goog-news', 'subscriptions/googsub', 'subscriptions/s']) {
      const answer = await put(path)
      expect([answer.status, await answer.json()]).toEqual([
        400,
        {
          error: expect.objectContaining({
            status: 'INVALID_ARGUMENT',
            message: `Invalid resource name given (name=projects/p/${path}). Refer to https://cloud.google.com/pubsub/docs/admin#resource_names for more information.`,
          }),
        },
      ])
    }
    expect((await put('topics/abc')).status).toBe(200)
    expect((await put('subscriptions/a.b~c+d%e_f-g')).status).toBe(200)
  })

  it('refuses a Scheduler HTTP job whose attemptDeadline is outside 15 s to 30 min (scheduler/v1/job.proto)', async () => {
    const scheduler = new SchedulerModel(createManualClock(0), async () => new Response(null, { status: 200 }))
    models.push(scheduler)
    const handler = scheduler.handler()
    const create = (id: string, attemptDeadline: string) =>
      handler(
        new Request('https://cloudscheduler.googleapis.com/v1/projects/p/locations/l/jobs', {
          method: 'POST',
          headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
          body: JSON.stringify({
            name: `projects/p/locations/l/jobs/${id}`,
            schedule: '* * * * *',
            httpTarget: { uri: 'https://f-abc-uc.a.run.app/' },
            attemptDeadline,
          }),
        }),
      )
    expect((await create('short', '10s')).status).toBe(400)
    expect((await create('long', '1801s')).status).toBe(400)
    expect((await create('fine', '180s')).status).toBe(200)
  })
})
