import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { ticker } from '../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../src/define.ts'
import { schedule } from '../../src/triggers/schedule.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from './emulator/index.ts'
import { aws } from './index.ts'
import { decodeDescription, encodeDescription } from './record.ts'
import { encodeTrigger } from './triggers/describe.ts'

const region = 'eu-west-1'
const emulator = createAwsEmulator({ region, stateDelayMs: 5, updateDelayMs: 5 })
emulator.listen()
afterAll(() => emulator.close())
const { state } = emulator
const cloud = aws({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2, retry: { baseDelayMs: 1, maxAttempts: 3 } })
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
    expect((await cloud.deploy(ticker, { name })).status).toBe('updated')
    expect(functionWrites(), 'the function itself was not in the plan').toBe(before)
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
