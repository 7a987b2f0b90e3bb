import { describe, expect, it } from 'vitest'
import { INVOKE_POLICY, SCHEDULER_INVOKE_POLICY, SQS_READ_POLICY } from '../role-policies.ts'
import { roleAllows } from './iam-policy.ts'
import type { EmulatedRole } from './state.ts'

const role = (attached: string[], inline: Array<{ name: string; document: string }>) =>
  ({ attachedPolicies: new Set(attached), inlinePolicies: new Map(inline.map((p) => [p.name, p.document])) }) as EmulatedRole
const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:tick'
const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:jobs'
const tagged = { 'cloudfn:managed': 'true' }

describe('emulated IAM policy evaluation', () => {
  it("allows cloudfn's inline policies only on resources tagged cloudfn:managed", () => {
    const scheduler = role([], [SCHEDULER_INVOKE_POLICY])
    expect(roleAllows(scheduler, 'lambda:InvokeFunction', fn, tagged)).toBe(true)
    expect(roleAllows(scheduler, 'lambda:InvokeFunction', fn, {})).toBe(false)
    expect(roleAllows(scheduler, 'lambda:DeleteFunction', fn, tagged)).toBe(false)
    const execution = role([], [SQS_READ_POLICY])
    expect(roleAllows(execution, 'sqs:ReceiveMessage', queueArn, tagged)).toBe(true)
    expect(roleAllows(execution, 'sqs:ReceiveMessage', queueArn, { 'cloudfn:managed': 'false' })).toBe(false)
    expect(roleAllows(execution, 'sqs:SendMessage', queueArn, tagged)).toBe(false)
  })

  it('knows the managed policies earlier versions attached, which allow any resource', () => {
    expect(roleAllows(role([INVOKE_POLICY], []), 'lambda:InvokeFunction', fn, {})).toBe(true)
    expect(roleAllows(role([], []), 'lambda:InvokeFunction', fn, tagged)).toBe(false)
  })
})
