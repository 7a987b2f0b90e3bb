import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns'
import { withOverrides } from 'cloudfn'
import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { topicWorker } from '../../../conformance/fixtures/topics.ts'
import { topic } from '../../../src/triggers/topic.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'
import { aws } from '../index.ts'
import { SQS_SEND_POLICY } from '../role-policies.ts'

const region = 'eu-west-1'
const emulator = createAwsEmulator({ region, stateDelayMs: 5, updateDelayMs: 5, asyncRetryDelayMs: 1 })
emulator.listen()
afterAll(() => emulator.close())
const { state } = emulator
const cloud = aws({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2, retry: { baseDelayMs: 1, maxAttempts: 3 } })
const sns = new SNSClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
const account = state.options.accountId
let counter = 0
const unique = (base: string) => `${base}-${++counter}`
const topicArn = (name: string) => `arn:aws:sns:${region}:${account}:${name}`
const endpoints = (name: string) => [...(state.topics.get(topicArn(name))?.subscriptions.values() ?? [])].map((s) => s.endpoint)

describe('aws topic triggers on the emulator', () => {
  it('makes a tagged topic, subscribes the function with its retries, dead letter and SNS permission; a redeploy adds nothing', async () => {
    const name = unique('sub')
    const orders = unique('orders')
    const fn = withOverrides(topicWorker, { trigger: topic({ name: orders, maxRetries: 1 }) })
    await cloud.deploy(fn, { name })
    expect(state.topics.get(topicArn(orders))?.tags).toEqual([
      { Key: 'cloudfn:managed', Value: 'true' },
      { Key: 'cloudfn:shared-topic', Value: 'true' },
    ])
    expect(endpoints(orders)).toEqual([state.functionArn(name)])
    const deployed = state.functions.get(name)
    expect(deployed?.eventInvokeConfig).toMatchObject({
      maximumRetryAttempts: 1,
      onFailure: state.queues.get(`${name}-dead-letter`)?.arn,
    })
    expect(state.queues.get(`${name}-dead-letter`)?.tags).toEqual({ 'cloudfn:managed': 'true', 'cloudfn:function': name })
    expect([...(deployed?.policy.values() ?? [])]).toContainEqual(
      expect.objectContaining({ Principal: 'sns.amazonaws.com', Action: 'lambda:InvokeFunction' }),
    )
    expect(state.roles.get('cloudfn-lambda-execution')?.inlinePolicies.has(SQS_SEND_POLICY.name)).toBe(true)
    expect((await cloud.deploy(fn, { name })).status).toBe('unchanged')
    expect(endpoints(orders)).toEqual([state.functionArn(name)])
    await cloud.remove(name)
    expect(state.topics.has(topicArn(orders))).toBe(false)
    expect(state.queues.has(`${name}-dead-letter`)).toBe(false)
  })

  it('uses a topic cloudfn did not make and leaves it when the last subscriber goes', async () => {
    const theirs = unique('theirs')
    await sns.send(new CreateTopicCommand({ Name: theirs }))
    const name = unique('sub')
    await cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: theirs }) }), { name })
    expect(endpoints(theirs)).toEqual([state.functionArn(name)])
    await cloud.remove(name)
    expect(state.topics.has(topicArn(theirs))).toBe(true)
    expect(endpoints(theirs)).toEqual([])
  })

  it('moving a subscriber to another topic takes it off the first (deleted when cloudfn made it and no one is left)', async () => {
    const [first, second] = [unique('first'), unique('second')]
    const name = unique('mover')
    await cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: first }) }), { name })
    await cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: second }) }), { name })
    expect(state.topics.has(topicArn(first))).toBe(false)
    expect(endpoints(second)).toEqual([state.functionArn(name)])
    // The dead-letter queue is the same on both topics: kept.
    expect(state.queues.has(`${name}-dead-letter`)).toBe(true)
    await cloud.remove(name)
  })

  it('gc deletes a shared topic cloudfn made once no cloudfn function subscribes to it, and never a foreign one', async () => {
    const [left, theirs] = [unique('left'), unique('foreign')]
    const name = unique('crashed')
    await cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: left }) }), { name })
    await sns.send(new CreateTopicCommand({ Name: theirs }))
    // A remove that stopped after deleting the function, before leaving the topic.
    state.functions.delete(name)
    const dryRun = await cloud.gc({ olderThanMs: 0, dryRun: true })
    expect(dryRun.removed).toContain(`topic:${left}`)
    expect(dryRun.removed).not.toContain(`topic:${theirs}`)
    expect(state.topics.has(topicArn(left))).toBe(true)
    await cloud.gc({ olderThanMs: 0 })
    expect(state.topics.has(topicArn(left))).toBe(false)
    expect(state.topics.has(topicArn(theirs))).toBe(true)
  })

  it('publish looks the topic up once, and is NotFound once the topic is gone', async () => {
    const news = unique('news')
    const name = unique('reader')
    await cloud.deploy(withOverrides(topicWorker, { trigger: topic({ name: news }) }), { name })
    const lookups = state.requestsByOperation.get('ListTopics') ?? 0
    await cloud.topic(news).publish({ id: 1, failFor: 'nobody' })
    await cloud.topic(news).publish({ id: 2, failFor: 'nobody' })
    expect((state.requestsByOperation.get('ListTopics') ?? 0) - lookups).toBe(1)
    await emulator.idle()
    expect(state.executions.get(name)).toBe(2)
    await cloud.remove(name)
    const error = await caughtError(cloud.topic(news).publish({ id: 3 }))
    expect([error.code, error.message]).toEqual(['NotFound', expect.stringContaining(`Topic '${news}' does not exist`)])
  })
})
