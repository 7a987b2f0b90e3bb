import { withOverrides } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { ticker, worker } from '../../../conformance/fixtures/functions.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { schedule } from '../../../src/triggers/schedule.ts'
import { emulatorForFile } from '../__fixtures__/emulator.ts'
import { SQS_READ_POLICY } from '../role-policies.ts'

const region = 'eu-west-1'
const emulated = emulatorForFile({ region, stateDelayMs: 5, updateDelayMs: 5, queueRetryDelayMs: 5 })
const { state } = emulated.emulator
const cloud = emulated.cloud()
let counter = 0
const unique = (base: string) => `${base}-${++counter}`
const calls = (...operations: string[]) => operations.reduce((sum, op) => sum + (state.requestsByOperation.get(op) ?? 0), 0)
const WRITES = ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'CreateQueue', 'SetQueueAttributes', 'DeleteQueue']
const MAPPING_WRITES = ['CreateEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping']

describe('aws triggers on the emulator', () => {
  it('creates a Scheduler schedule that invokes the function, leaves it alone on an unchanged redeploy, and deletes it on remove', async () => {
    const name = unique('tick')
    const fn = await cloud.deploy(ticker, { name })
    const schedule = state.schedules.get(`cloudfn-${name}`)
    expect(schedule).toMatchObject({
      expression: 'cron(0/5 * * * ? *)',
      timezone: 'UTC',
      flexibleTimeWindow: { Mode: 'OFF' },
      target: { Arn: state.functionArn(name), Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}' },
    })
    expect(state.roles.get('cloudfn-scheduler')?.assumeRolePolicyDocument).toContain('scheduler.amazonaws.com')
    expect((await cloud.get(name)).trigger).toEqual(ticker.trigger)
    const before = calls(...WRITES)
    expect((await cloud.deploy(ticker, { name })).status).toBe('unchanged')
    expect(calls(...WRITES)).toBe(before)
    await fn.remove()
    expect(state.schedules.has(`cloudfn-${name}`)).toBe(false)
  })

  it('finishes a deploy that stopped before the schedule was made', async () => {
    const name = unique('half')
    await cloud.deploy(ticker, { name })
    state.schedules.get(`cloudfn-${name}`)?.stop()
    state.schedules.delete(`cloudfn-${name}`)
    expect((await cloud.deploy(ticker, { name })).status).toBe('updated')
    expect(state.schedules.has(`cloudfn-${name}`)).toBe(true)
    await cloud.remove(name)
  })

  it('makes the queue, its dead-letter queue and the mapping; updates only what changed; removes all three', async () => {
    const name = unique('jobs')
    const named = withOverrides(worker, { trigger: queue({ name: `${name}-in`, deadLetter: `${name}-failed`, maxRetries: 2 }) })
    await cloud.deploy(named, { name })
    const source = state.queues.get(`${name}-in`)
    expect(source?.tags).toEqual({ 'cloudfn:managed': 'true', 'cloudfn:function': name })
    expect(JSON.parse(source?.attributes.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: state.queues.get(`${name}-failed`)?.arn,
      maxReceiveCount: 3,
    })
    expect(Number(source?.attributes.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * worker.timeoutSec)
    const mappings = () => [...state.mappings.values()].filter((mapping) => mapping.functionName === name)
    expect(mappings()).toMatchObject([{ sourceArn: source?.arn, batchSize: 1, responseTypes: ['ReportBatchItemFailures'] }])
    expect(state.roles.get('cloudfn-lambda-execution')?.inlinePolicies.has(SQS_READ_POLICY.name)).toBe(true)

    const before = calls(...WRITES, ...MAPPING_WRITES)
    expect((await cloud.deploy(named, { name })).status).toBe('unchanged')
    expect(calls(...WRITES, ...MAPPING_WRITES)).toBe(before)

    const bigger = withOverrides(worker, {
      trigger: queue({ name: `${name}-in`, deadLetter: `${name}-failed`, maxRetries: 2, batchSize: 5 }),
    })
    const [creates, updates] = [calls('CreateEventSourceMapping'), calls('UpdateEventSourceMapping')]
    await cloud.deploy(bigger, { name })
    expect(mappings()).toMatchObject([{ batchSize: 5 }])
    expect([calls('CreateEventSourceMapping') - creates, calls('UpdateEventSourceMapping') - updates]).toEqual([0, 1])

    await cloud.remove(name)
    expect(mappings()).toEqual([])
    expect(state.queues.has(`${name}-in`)).toBe(false)
    expect(state.queues.has(`${name}-failed`)).toBe(false)
  })

  it('gives NotFound when the queue is gone, and send works again once it is back', async () => {
    const name = unique('lost')
    const fn = await cloud.deploy(worker, { name })
    state.queues.delete(name)
    expect(await caughtError(fn.send({ id: 1 }))).toMatchObject({ code: 'NotFound' })
    // A changed deploy puts the queue back.
    await cloud.deploy(withOverrides(worker, { memoryMb: 512 }), { name })
    expect((await fn.send({ id: 2 })).messageId).toMatch(/^[0-9a-f-]{36}$/)
    await cloud.remove(name)
  })

  it('rejects a schedule expression too long to record in the description, before sending anything', async () => {
    const before = state.requestCount
    const everyMinute = `${Array.from({ length: 60 }, (_, minute) => minute).join(',')} * * * *`
    const long = withOverrides(ticker, { trigger: schedule(everyMinute) })
    const error = await caughtError(cloud.deploy(long, { name: unique('long') }))
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'trigger.schedule' })
    expect(state.requestCount).toBe(before)
  })

  it('gc removes schedules and queues whose function is gone, besides the functions themselves', async () => {
    const [gone, kept] = [unique('orphan'), unique('alive')]
    await cloud.deploy(ticker, { name: gone })
    await cloud.deploy(worker, { name: gone.replace('orphan', 'orphanq') })
    await cloud.deploy(ticker, { name: kept })
    // The function went but its trigger resources did not (a remove that stopped half-way).
    state.functions.delete(gone)
    state.functions.delete(gone.replace('orphan', 'orphanq'))
    const result = await cloud.gc({ olderThanMs: 0 })
    expect(result.removed).toEqual(
      expect.arrayContaining([
        `schedule:cloudfn-${gone}`,
        `queue:${gone.replace('orphan', 'orphanq')}`,
        `queue:${gone.replace('orphan', 'orphanq')}-dead-letter`,
        `function:${kept}`,
      ]),
    )
    // The live function took its own schedule along; the orphans went on their own.
    expect(result.removed).not.toContain(`schedule:cloudfn-${kept}`)
    expect(state.schedules.size).toBe(0)
    expect([...state.queues.keys()].filter((queueName) => queueName.startsWith('orphanq'))).toEqual([])
  })
})
