import { withOverrides } from 'cloudfn'
import { describe, expect, it } from 'vitest'
import { ticker, worker } from '../../../conformance/fixtures/functions.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { emulatorForFile } from '../__fixtures__/emulator.ts'
import { INVOKE_POLICY, SCHEDULER_INVOKE_POLICY, SQS_EXECUTION_POLICY, SQS_READ_POLICY } from '../role-policies.ts'

const emulated = emulatorForFile({ region: 'eu-west-1', stateDelayMs: 5, updateDelayMs: 5, queueRetryDelayMs: 5 })
const { state } = emulated.emulator
let counter = 0
const unique = (base: string) => `${base}-${++counter}`

describe('aws roles for triggers', () => {
  it('lets the scheduler invoke, and the execution role read, only what cloudfn tagged', async () => {
    const cloud = emulated.cloud()
    const [tick, work] = [unique('tick'), unique('work')]
    await cloud.deploy(ticker, { name: tick })
    await cloud.deploy(worker, { name: work })
    const scheduler = state.roles.get('cloudfn-scheduler')
    const execution = state.roles.get('cloudfn-lambda-execution')
    expect([...(scheduler?.attachedPolicies ?? [])]).toEqual([])
    expect([...(execution?.attachedPolicies ?? [])]).not.toContain(SQS_EXECUTION_POLICY)
    for (const [role, policy, action] of [
      [scheduler, SCHEDULER_INVOKE_POLICY, 'lambda:InvokeFunction'],
      [execution, SQS_READ_POLICY, 'sqs:ReceiveMessage'],
    ] as const) {
      const document = JSON.parse(role?.inlinePolicies.get(policy.name) ?? '{}')
      expect(document.Statement).toEqual([
        expect.objectContaining({
          Action: expect.arrayContaining([action]),
          Condition: { StringEquals: { 'aws:ResourceTag/cloudfn:managed': 'true' } },
        }),
      ])
    }
    await cloud.remove(tick)
    await cloud.remove(work)
  })

  it('takes the any-function and any-queue policies off roles an earlier version made', async () => {
    const cloud = emulated.cloud()
    const [tick, work] = [unique('old-tick'), unique('old-work')]
    await cloud.deploy(ticker, { name: tick })
    state.roles.get('cloudfn-scheduler')?.attachedPolicies.add(INVOKE_POLICY)
    state.roles.get('cloudfn-lambda-execution')?.attachedPolicies.add(SQS_EXECUTION_POLICY)
    // A new process finds the roles in place.
    const later = emulated.cloud()
    await later.deploy(withOverrides(ticker, { memoryMb: 512 }), { name: tick })
    await later.deploy(worker, { name: work })
    expect(state.roles.get('cloudfn-scheduler')?.attachedPolicies.has(INVOKE_POLICY)).toBe(false)
    expect(state.roles.get('cloudfn-lambda-execution')?.attachedPolicies.has(SQS_EXECUTION_POLICY)).toBe(false)
    await later.remove(tick)
    await later.remove(work)
  })

  it('gc keeps the scheduler role while a schedule stays and deletes it with the last one', async () => {
    const cloud = emulated.cloud()
    const [tick, work] = [unique('gc-tick'), unique('gc-work')]
    await cloud.deploy(ticker, { name: tick })
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: `${work}-q` }) }), { name: work })
    const young = await cloud.gc({ olderThanMs: 60_000 })
    expect(young.kept).toContain('role:cloudfn-scheduler')
    expect(state.roles.has('cloudfn-scheduler')).toBe(true)
    const all = await cloud.gc({ olderThanMs: 0 })
    expect(all.removed).toEqual(expect.arrayContaining(['role:cloudfn-scheduler', 'role:cloudfn-lambda-execution']))
    expect(state.roles.has('cloudfn-scheduler')).toBe(false)
    expect(state.roles.has('cloudfn-lambda-execution')).toBe(false)
    // The next deploy makes both again.
    await cloud.deploy(ticker, { name: tick })
    expect(state.roles.get('cloudfn-scheduler')?.inlinePolicies.has(SCHEDULER_INVOKE_POLICY.name)).toBe(true)
    await cloud.remove(tick)
  })
})
