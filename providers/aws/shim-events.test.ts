import { describe, expect, it, vi } from 'vitest'
import { http } from '../../src/triggers/http.ts'
import { queue } from '../../src/triggers/queue.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { topic } from '../../src/triggers/topic.ts'
import { createEntry } from './shim.ts'
import type { UrlEvent, UrlResult } from './shim-events.ts'

const context = { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 5000 }

function urlEvent(overrides: Partial<UrlEvent> = {}): UrlEvent {
  return {
    version: '2.0',
    rawPath: '/items/42',
    rawQueryString: 'tag=a&tag=b',
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=00',
      'x-amz-date': '20260101T000000Z',
      'x-amz-content-sha256': 'e3b0',
      'x-multi': 'one, two',
      'content-type': 'application/octet-stream',
    },
    cookies: ['a=1', 'b=2'],
    requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws', http: { method: 'POST' } },
    body: Buffer.from([0, 255, 10]).toString('base64'),
    isBase64Encoded: true,
    ...overrides,
  }
}

describe('aws shim: native events', () => {
  const describeRequest = async (request: Request) => {
    const headers = new Headers({ 'x-reply': 'one' })
    headers.append('x-reply', 'two')
    headers.append('set-cookie', 'first=1')
    headers.append('set-cookie', 'second=2')
    const seen = {
      url: request.url,
      headers: [...request.headers.keys()],
      cookie: request.headers.get('cookie'),
      body: Buffer.from(await request.arrayBuffer()).toString('base64'),
    }
    return new Response(JSON.stringify(seen), { status: 201, headers })
  }

  it("turns a function URL event into the handler's Request, without the IAM signature, and answers Lambda's response shape", async () => {
    const handler = createEntry({ name: 'web', trigger: http({ auth: 'iam' }), handler: describeRequest as never })
    const result = (await handler(urlEvent(), context)) as UrlResult
    expect(result).toMatchObject({
      statusCode: 201,
      headers: { 'x-reply': 'one, two' },
      cookies: ['first=1', 'second=2'],
      isBase64Encoded: true,
    })
    const seen = JSON.parse(Buffer.from(result.body, 'base64').toString('utf8')) as Record<string, unknown>
    expect(seen).toEqual({
      url: 'https://abc.lambda-url.eu-west-1.on.aws/items/42?tag=a&tag=b',
      headers: ['content-type', 'cookie', 'x-multi'],
      cookie: 'a=1; b=2',
      body: Buffer.from([0, 255, 10]).toString('base64'),
    })
  })

  it('keeps the Authorization header of a public function (it is the caller’s own), and reads text bodies', async () => {
    const handler = createEntry({ name: 'web', trigger: http({ auth: 'public' }), handler: describeRequest as never })
    const result = (await handler(urlEvent({ body: 'héllo', isBase64Encoded: false }), context)) as UrlResult
    const seen = JSON.parse(Buffer.from(result.body, 'base64').toString('utf8')) as { headers: string[]; body: string }
    expect(seen.headers).toContain('authorization')
    expect(Buffer.from(seen.body, 'base64').toString('utf8')).toBe('héllo')
  })

  it('answers a bare 500 when the HTTP handler throws', async () => {
    const handler = createEntry({
      name: 'web',
      trigger: http(),
      handler: (() => {
        throw new Error('secret')
      }) as never,
    })
    const result = (await handler(urlEvent(), context)) as UrlResult
    expect(result.statusCode).toBe(500)
    expect(Buffer.from(result.body, 'base64').toString('utf8')).not.toContain('secret')
  })

  it('runs each SQS record on its own, as an execution of its own, and reports only the failed ones', async () => {
    const ran: unknown[] = []
    const executions: Array<[string, boolean]> = []
    const handler = createEntry({
      name: 'worker',
      trigger: queue({ batchSize: 3 }),
      handler: ((message: { id: number; fail?: boolean }, ctx: { executionId: string; coldStart: boolean }) => {
        ran.push(message.id)
        executions.push([ctx.executionId, ctx.coldStart])
        if (message.fail) throw new Error('no')
        return message.id
      }) as never,
    })
    const record = (id: number, fail = false) => ({
      messageId: `m-${id}`,
      body: JSON.stringify({ id, fail }),
      eventSource: 'aws:sqs',
    })
    const result = await handler({ Records: [record(1), record(2, true), record(3)] }, context)
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] })
    expect(ran).toEqual([1, 2, 3])
    const requestId = context.awsRequestId
    expect(executions).toEqual([
      [`${requestId}/m-1`, true],
      [`${requestId}/m-2`, false],
      [`${requestId}/m-3`, false],
    ])
  })

  // Run one message at a time, the stuck one would hold the batch past the deadline. Time is fake: the
  // deadline and the messages' waits are timers the test moves, so a loaded machine cannot change the outcome.
  it('runs a batch concurrently and, just before the deadline, reports only the unfinished and failed messages', async () => {
    vi.useFakeTimers()
    try {
      let release = () => {}
      const stuck = new Promise<void>((resolve) => {
        release = resolve
      })
      const handler = createEntry({
        name: 'worker',
        trigger: queue({ batchSize: 10 }),
        handler: (async (message: { id: number; wait?: number; stuck?: boolean; fail?: boolean }) => {
          if (message.stuck) await stuck
          await new Promise((resolve) => setTimeout(resolve, message.wait ?? 0))
          if (message.fail) throw new Error('no')
          return message.id
        }) as never,
      })
      // Eight messages of 150 ms each: one after the other they would need 1.2 s of the 1 s there is.
      const bodies = [...Array.from({ length: 8 }, (_, id) => ({ id, wait: 150 })), { id: 8, stuck: true }, { id: 9, fail: true }]
      const Records = bodies.map((body) => ({ messageId: `m-${body.id}`, body: JSON.stringify(body), eventSource: 'aws:sqs' }))
      const started = Date.now()
      let answeredAt: number | undefined
      const answer = handler({ Records }, { awsRequestId: 'r-2', getRemainingTimeInMillis: () => 1000 }).then(
        (result: unknown) => {
          answeredAt = Date.now()
          return result
        },
      )
      await vi.advanceTimersByTimeAsync(1000)
      const result = await answer
      release()
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-8' }, { itemIdentifier: 'm-9' }] })
      // It answered before Lambda's deadline, leaving the 10% margin (100 ms here).
      expect((answeredAt ?? Number.NaN) - started).toBe(900)
    } finally {
      vi.useRealTimers()
    }
  })

  it("hands a topic subscriber the SNS event's Message, decoded, and throws when the handler fails so Lambda retries", async () => {
    // The record as documented at https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html (trimmed).
    const snsEvent = (message: unknown) => ({
      Records: [
        {
          EventVersion: '1.0',
          EventSource: 'aws:sns',
          EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:orders:21be56ed-a058-49f5-8c98-aedd2564c486',
          Sns: {
            Type: 'Notification',
            MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
            TopicArn: 'arn:aws:sns:us-east-1:123456789012:orders',
            Subject: null,
            Message: JSON.stringify(message),
            Timestamp: '2019-01-02T12:45:07.000Z',
            MessageAttributes: {},
          },
        },
      ],
    })
    const seen: unknown[] = []
    const handler = createEntry({
      name: 'subscriber',
      trigger: topic({ name: 'orders' }),
      handler: ((input: { fail?: boolean }) => {
        seen.push(input)
        if (input.fail) throw new Error('cannot handle it')
        return { handled: true }
      }) as never,
    })
    expect(await handler(snsEvent({ id: 1, nested: [null, 'é'] }), context)).toBeNull()
    await expect(handler(snsEvent({ fail: true }), context)).rejects.toThrow(/cannot handle it/)
    expect(seen).toEqual([{ id: 1, nested: [null, 'é'] }, { fail: true }])
  })

  it('passes a direct invoke of a queue-triggered function straight to the handler', async () => {
    const handler = createEntry({ name: 'worker', trigger: queue(), handler: ((input: unknown) => ({ got: input })) as never })
    expect(await handler({ scheduledTime: '2026-01-01T00:00:00Z', n: 1 }, context)).toMatchObject({
      ok: true,
      value: { got: { scheduledTime: '2026-01-01T00:00:00Z', n: 1 } },
    })
  })

  it("gives a schedule's scheduledTime in toISOString() form, as every other backend does (Scheduler's has no milliseconds)", async () => {
    const handler = createEntry({
      name: 'ticker',
      trigger: schedule('rate(5 minutes)'),
      handler: ((event: unknown) => ({ got: event })) as never,
    })
    expect(await handler({ scheduledTime: '2026-01-01T00:05:00Z' }, context)).toMatchObject({
      value: { got: { scheduledTime: '2026-01-01T00:05:00.000Z' } },
    })
    // A direct invoke with something else is the caller's input, left alone.
    expect(await handler({ scheduledTime: 'soon' }, context)).toMatchObject({ value: { got: { scheduledTime: 'soon' } } })
    expect(await handler(null, context)).toMatchObject({ value: { got: null } })
  })
})
