import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda'
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns'
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { describe, expect, it } from 'vitest'
import { emulatorForFile, NO_STATE_DELAYS, sdkError, zipFunction } from '../__fixtures__/emulator.ts'
import { loggedEvents, loggingHandlerZip } from '../__fixtures__/sdk-testing.ts'

const region = 'eu-west-1'
// Failed asynchronous events are retried at once.
const { emulator, clientConfig: config } = emulatorForFile({ region, ...NO_STATE_DELAYS, asyncRetryDelayMs: 1 })
const sns = new SNSClient(config)
const lambda = new LambdaClient(config)
const sqs = new SQSClient(config)
const account = '123456789012'

/** Records every event it gets in its log, and fails on an event whose message asks it to. */
const RECORDER = loggingHandlerZip("if (JSON.parse(event.Records[0].Sns.Message).fail) throw new Error('failing on purpose')")

async function subscriber(name: string, topicArn: string, permittedArn = topicArn) {
  const fn = await lambda.send(new CreateFunctionCommand(zipFunction(name, RECORDER)))
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: name,
      StatementId: 'sns',
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: permittedArn,
    }),
  )
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: fn.FunctionArn }))
  return fn.FunctionArn ?? ''
}

/** The events a function logged, parsed. */
const eventsOf = (name: string) => loggedEvents<{ Records: Array<{ Sns: Record<string, unknown> }> }>(emulator, name)

describe('emulated SNS (query protocol, through @aws-sdk/client-sns)', () => {
  it('creates a topic idempotently with its tags, and refuses the same name with other tags', async () => {
    const tags = [{ Key: 'cloudfn:managed', Value: 'true' }]
    const first = await sns.send(new CreateTopicCommand({ Name: 'orders', Tags: tags }))
    expect(first.TopicArn).toBe(`arn:aws:sns:${region}:${account}:orders`)
    expect((await sns.send(new CreateTopicCommand({ Name: 'orders', Tags: tags }))).TopicArn).toBe(first.TopicArn)
    const error = await sdkError(sns.send(new CreateTopicCommand({ Name: 'orders', Tags: [{ Key: 'other', Value: 'x' }] })))
    expect([error.name, error.message]).toEqual([
      'InvalidParameterException',
      'Invalid parameter: Tags Reason: Topic already exists with different tags',
    ])
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: first.TopicArn }))).Tags).toEqual(tags)
    await sns.send(new DeleteTopicCommand({ TopicArn: first.TopicArn }))
    // Deleting it again is not an error; publishing to it is NotFound.
    await sns.send(new DeleteTopicCommand({ TopicArn: first.TopicArn }))
    const missing = await sdkError(sns.send(new PublishCommand({ TopicArn: first.TopicArn, Message: 'x' })))
    expect([missing.name, missing.message]).toEqual(['NotFoundException', 'Topic does not exist'])
  })

  it('refuses a message over 256 KiB', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'big' }))
    const error = await sdkError(sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(256 * 1024 + 1) })))
    expect([error.name, error.message]).toEqual(['InvalidParameterException', 'Invalid parameter: Message too long'])
  })

  it('delivers each message to every Lambda subscriber as the documented SNS event, and lists and removes subscriptions', async () => {
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'fan' }))
    const arns = [await subscriber('fan-a', TopicArn), await subscriber('fan-b', TopicArn)]
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))
    expect(listed.Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.TopicArn])).toEqual(
      arns.map((arn) => ['lambda', arn, TopicArn]),
    )
    const sent = await sns.send(new PublishCommand({ TopicArn, Message: '{"id":1}', Subject: 'greeting' }))
    await emulator.idle()
    for (const [index, name] of ['fan-a', 'fan-b'].entries()) {
      const [event, ...more] = eventsOf(name)
      expect(more).toEqual([])
      expect(event?.Records[0]).toMatchObject({
        EventVersion: '1.0',
        EventSource: 'aws:sns',
        EventSubscriptionArn: listed.Subscriptions?.[index]?.SubscriptionArn,
        Sns: { Type: 'Notification', MessageId: sent.MessageId, TopicArn, Message: '{"id":1}', Subject: 'greeting' },
      })
    }
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: listed.Subscriptions?.[0]?.SubscriptionArn }))
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.map((s) => s.Endpoint)).toEqual([
      arns[1],
    ])
  })

  it("retries a failing subscriber's copy as its event invoke configuration says, then sends the invocation record to its on-failure queue", async () => {
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'poison' }))
    await subscriber('poisoned', TopicArn)
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'poisoned-dead-letter' }))
    const destination = `arn:aws:sqs:${region}:${account}:poisoned-dead-letter`
    const tooMany = await sdkError(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'poisoned', MaximumRetryAttempts: 3 })),
    )
    expect(tooMany.name).toBe('InvalidParameterValueException')
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'poisoned',
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: destination } },
      }),
    )
    await sns.send(new PublishCommand({ TopicArn, Message: '{"fail":true}' }))
    await emulator.idle()
    expect(emulator.state.executions.get('poisoned')).toBe(2)
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))
    const records = (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? '') as Record<string, never>)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { Records: [{ EventSource: 'aws:sns', Sns: { Message: '{"fail":true}', TopicArn } }] },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'failing on purpose' },
    })
    expect(emulator.deadLetters('poisoned')).toEqual(['{"fail":true}'])
  })

  it('invokes only a function whose resource policy lets SNS invoke it for this topic', async () => {
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'guarded' }))
    await subscriber('allowed', TopicArn)
    await subscriber('elsewhere', TopicArn, `arn:aws:sns:${region}:${account}:other`)
    await sns.send(new PublishCommand({ TopicArn, Message: '{"id":2}' }))
    await emulator.idle()
    expect(eventsOf('allowed').map((event) => event.Records[0]?.Sns.Message)).toEqual(['{"id":2}'])
    expect(eventsOf('elsewhere')).toEqual([])
  })

  it("refuses an on-failure queue the function's execution role may not send to", async () => {
    const iam = new IAMClient(config)
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'no-send',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    )
    await lambda.send(new CreateFunctionCommand(zipFunction('no-send', RECORDER, { Role: Role?.Arn })))
    await sqs.send(new CreateQueueCommand({ QueueName: 'no-send-dead-letter' }))
    const error = await sdkError(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'no-send',
          DestinationConfig: { OnFailure: { Destination: `arn:aws:sqs:${region}:${account}:no-send-dead-letter` } },
        }),
      ),
    )
    expect([error.name, error.message]).toEqual([
      'InvalidParameterValueException',
      'The provided execution role does not have permissions to call SendMessage on SQS',
    ])
  })
})
