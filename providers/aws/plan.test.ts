import { describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { ticker, worker } from '../../conformance/fixtures/functions.ts'
import { topicRecorder } from '../../conformance/fixtures/topics.ts'
import { type FunctionDefinition, withOverrides } from '../../src/define.ts'
import type { DeployPlan } from '../../src/plan.ts'
import { queue } from '../../src/triggers/queue.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { topic } from '../../src/triggers/topic.ts'
import { emulatorForFile } from './__fixtures__/emulator.ts'
import { decodeDescription, encodeDescription } from './record.ts'
import { encodeTrigger } from './triggers/describe.ts'

const emulated = emulatorForFile({ region: 'eu-west-1', stateDelayMs: 5, updateDelayMs: 5 })
const { state } = emulated.emulator
const cloud = emulated.cloud()
const writes = () => state.writeCount
const kinds = async (definition: typeof ticker, name: string) => {
  const before = writes()
  const plan = await cloud.plan(definition, { name })
  expect(writes(), 'a plan sent a write').toBe(before)
  return plan.changes.map((change) => `${change.kind} ${change.resource}`)
}

describe('aws plan, then deploy', () => {
  it('plans the schedule a crashed deploy left out, and the deploy makes exactly that', async () => {
    const name = 'plan-repair'
    await cloud.deploy(ticker, { name })
    expect(await kinds(ticker, name)).toEqual([])
    // What a deploy that stopped between the function and its schedule leaves.
    state.schedules.delete(`cloudfn-${name}`)
    expect(await kinds(ticker, name)).toEqual([`create-schedule schedule:${name}`, 'grant-role role:cloudfn-scheduler'])
    const functionWrites = () =>
      (state.requestsByOperation.get('UpdateFunctionConfiguration') ?? 0) +
      (state.requestsByOperation.get('UpdateFunctionCode') ?? 0)
    const before = functionWrites()
    const steps: string[] = []
    expect((await cloud.deploy(ticker, { name, onProgress: (step) => steps.push(step) })).status).toBe('updated')
    expect(functionWrites(), 'the function itself was not in the plan').toBe(before)
    // Each step once, as a user's progress display shows them.
    expect(steps.filter((step) => step === 'update')).toEqual(['update'])
    expect(state.schedules.has(`cloudfn-${name}`)).toBe(true)
    expect(await kinds(ticker, name)).toEqual([])
    await cloud.remove(name)
  })

  it('plans a schedule change as the code, config and schedule updates deploy then makes', async () => {
    const name = 'plan-reschedule'
    await cloud.deploy(ticker, { name })
    const hourly = withOverrides(ticker, { trigger: schedule('rate(1 hour)') })
    // The artifact's entry holds the trigger too, so its code changes with it.
    expect(await kinds(hourly, name)).toEqual([
      `update-code function:${name}`,
      `update-config function:${name}`,
      `update-schedule schedule:${name}`,
    ])
    expect((await cloud.deploy(hourly, { name })).status).toBe('updated')
    expect(state.schedules.get(`cloudfn-${name}`)?.expression).toBe('cron(0 * * * ? *)')
    expect(await kinds(hourly, name)).toEqual([])
    await cloud.remove(name)
  })

  it('refuses, as deploy does and sending nothing, a trigger too long for the description', async () => {
    const everyMinute = Array.from({ length: 60 }, (_, minute) => minute).join(',')
    const long = withOverrides(ticker, { trigger: schedule(`${everyMinute} * * * *`) })
    const before = state.requestCount
    const error = await caughtError(cloud.plan(long, { name: 'plan-long' }))
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'trigger.schedule' })
    expect((await caughtError(cloud.deploy(long, { name: 'plan-long' }))).message).toBe(error.message)
    expect(state.requestCount).toBe(before)
  })

  it('records the reservation cloudfn set ahead of the trigger, whose schedule may hold spaces', () => {
    const configHash = 'a'.repeat(64)
    const trigger = schedule('0 9 * * MON-FRI', { timezone: 'Asia/Kolkata' })
    const text = encodeDescription({ configHash, trigger, reserved: 0 })
    expect(text).toBe(`cloudfn:v1 config=${configHash} reserved=0 trigger=${encodeTrigger(trigger)}`)
    expect(decodeDescription(text)).toEqual({ configHash, trigger, reserved: 0 })
    // Without a reservation the description is as before: no reservation is claimed.
    expect(decodeDescription(encodeDescription({ configHash, trigger: undefined }))).toEqual({ configHash, trigger: undefined })
  })
})

describe('aws plan, topic triggers: the plan lists exactly the SNS and SQS resources the deploy then makes and deletes', () => {
  const sorted = (values: Iterable<string>) => [...values].sort()
  const lastPart = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1)
  /** SNS permission statements as `function topic`; SourceArn is the topic's (extras.ts AddPermission). */
  const snsPermissions = () =>
    [...state.functions.values()].flatMap((fn) =>
      [...fn.policy.values()]
        .filter((statement) => statement.Principal === 'sns.amazonaws.com')
        .map((statement) => {
          const source = (statement.Condition as { ArnLike?: Record<string, string> } | undefined)?.ArnLike?.['AWS:SourceArn']
          return `${fn.name} ${lastPart(source ?? '')}`
        }),
    )
  const snapshot = () => ({
    topics: new Set([...state.topics.values()].map((t) => t.name)),
    /** Subscriptions by ARN, each with its topic's name. */
    subscriptions: new Map(
      [...state.topics.values()].flatMap((t) => [...t.subscriptions.values()].map((s) => [s.arn, t.name] as const)),
    ),
    permissions: new Set(snsPermissions()),
    queues: new Set(state.queues.keys()),
  })
  const added = <T>(before: Set<T>, after: Set<T>) => [...after].filter((value) => !before.has(value))
  /**
   * What the plan says happens: a `topic:` create/delete is an SNS topic made or deleted, a `queue:` one an
   * SQS queue; a topic link that delivers is the function's subscription and SNS's permission to invoke it,
   * and one that no longer does takes both away.
   */
  function expected(name: string, plan: DeployPlan) {
    const of = (kind: string, match: (detail: string) => boolean = () => true) =>
      sorted(plan.changes.filter((c) => c.kind === kind && match(c.detail)).map((c) => c.resource.split(':')[1] ?? ''))
    const subscribedOn = of('update-topic-link', (detail) => detail.startsWith('delivers to'))
    const unsubscribedOn = of('update-topic-link', (detail) => detail.startsWith('no longer'))
    return {
      createdTopics: of('create-topic'),
      deletedTopics: of('delete-topic'),
      createdQueues: of('create-queue'),
      deletedQueues: of('delete-queue'),
      subscribedOn,
      unsubscribedOn,
      permitted: subscribedOn.map((t) => `${name} ${t}`),
      unpermitted: unsubscribedOn.map((t) => `${name} ${t}`),
    }
  }
  // biome-ignore lint/suspicious/noExplicitAny: any definition is planned then deployed
  async function planThenDeploy(definition: FunctionDefinition<any, any, any>, name: string): Promise<string[]> {
    const before = snapshot()
    const writesBefore = writes()
    const plan = await cloud.plan(definition, { name })
    expect(writes(), 'a plan sent a write').toBe(writesBefore)
    await cloud.deploy(definition, { name })
    const after = snapshot()
    const subscribed = (from: typeof before, to: typeof before) =>
      sorted([...to.subscriptions].filter(([arn]) => !from.subscriptions.has(arn)).map(([, t]) => t))
    expect({
      createdTopics: sorted(added(before.topics, after.topics)),
      deletedTopics: sorted(added(after.topics, before.topics)),
      createdQueues: sorted(added(before.queues, after.queues)),
      deletedQueues: sorted(added(after.queues, before.queues)),
      subscribedOn: subscribed(before, after),
      unsubscribedOn: subscribed(after, before),
      permitted: sorted(added(before.permissions, after.permissions)),
      unpermitted: sorted(added(after.permissions, before.permissions)),
    }).toEqual(expected(name, plan))
    // Plan and deploy agree: nothing is left to plan.
    expect(await kinds(definition, name)).toEqual([])
    return plan.changes.map((change) => `${change.kind} ${change.resource}`)
  }
  const on = (topicName: string) => withOverrides(topicRecorder, { trigger: topic({ name: topicName }) })

  it('first and second subscriber, a queue → topic switch, and the last subscriber out', async () => {
    const first = await planThenDeploy(on('plan-orders'), 'plan-sub-a')
    expect(first).toEqual([
      'create-function function:plan-sub-a',
      'create-topic topic:plan-orders',
      'create-queue queue:plan-sub-a-dead-letter',
      'update-topic-link topic:plan-orders',
      'grant-role role:cloudfn-lambda-execution',
    ])
    const second = await planThenDeploy(on('plan-orders'), 'plan-sub-b')
    expect(second).toEqual([
      'create-function function:plan-sub-b',
      'create-queue queue:plan-sub-b-dead-letter',
      'update-topic-link topic:plan-orders',
      'grant-role role:cloudfn-lambda-execution',
    ])

    // A queue → topic switch keeps `<function>-dead-letter`, which the topic trigger uses too.
    await cloud.deploy(withOverrides(topicRecorder, { trigger: queue() }), { name: 'plan-sub-c' })
    const switched = await planThenDeploy(on('plan-orders'), 'plan-sub-c')
    expect(switched.filter((change) => !change.includes(' function:'))).toEqual([
      'update-topic-link topic:plan-orders',
      'delete-queue queue:plan-sub-c',
      'grant-role role:cloudfn-lambda-execution',
    ])

    // Leaving while others remain keeps the shared topic; the last one out deletes it.
    const moved = await planThenDeploy(on('plan-other'), 'plan-sub-a')
    expect(moved).not.toContain('delete-topic topic:plan-orders')
    expect(moved).toContain('create-topic topic:plan-other')
    expect(moved).toContain('update-topic-link topic:plan-orders')
    const toQueue = await planThenDeploy(withOverrides(worker, { trigger: queue() }), 'plan-sub-b')
    expect(toQueue).toContain('update-topic-link topic:plan-orders')
    expect(toQueue).not.toContain('delete-topic topic:plan-orders')
    const last = await planThenDeploy(on('plan-other'), 'plan-sub-c')
    expect(last).toContain('delete-topic topic:plan-orders')
    expect(last).not.toContain('create-topic topic:plan-other')
    for (const name of ['plan-sub-a', 'plan-sub-b', 'plan-sub-c']) await cloud.remove(name)
  })
})
