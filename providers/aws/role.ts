import { type AwsContext, awsCall, control } from './context.ts'
import { isAwsNotFound } from './errors.ts'
import {
  BASIC_EXECUTION_POLICY,
  INVOKE_POLICY,
  type InlinePolicy,
  MANAGED_TAG,
  SCHEDULER_INVOKE_POLICY,
  SQS_EXECUTION_POLICY,
  SQS_READ_POLICY,
  SQS_SEND_POLICY,
} from './role-policies.ts'

/** A role cloudfn creates once and shares between functions. */
export interface RoleSpec {
  name: string
  /** The service that assumes it. */
  service: string
  description: string
  /** AWS managed policies attached when the role is created. */
  policies: readonly string[]
  /** Put whenever the role is first needed in a process (idempotent), so an older role gets it too. */
  inline?: InlinePolicy | undefined
  /** Managed policies earlier versions attached, detached from a role found in place. */
  retired?: readonly string[] | undefined
}

export const EXECUTION_ROLE: RoleSpec = {
  name: 'cloudfn-lambda-execution',
  service: 'lambda.amazonaws.com',
  description: 'Execution role of functions deployed by cloudfn (logs; reads of cloudfn queues once a queue trigger is deployed)',
  policies: [BASIC_EXECUTION_POLICY],
}
export const EXECUTION_ROLE_NAME = EXECUTION_ROLE.name

export const SCHEDULER_ROLE: RoleSpec = {
  name: 'cloudfn-scheduler',
  service: 'scheduler.amazonaws.com',
  description: 'Lets EventBridge Scheduler invoke functions deployed by cloudfn with a schedule trigger',
  policies: [],
  inline: SCHEDULER_INVOKE_POLICY,
  retired: [INVOKE_POLICY],
}

/** The execution role for new functions: the configured one, or a least-privilege role created once. */
export function executionRole(context: AwsContext): Promise<string> {
  if (context.settings.role) return Promise.resolve(context.settings.role)
  context.roleArn ??= ensureRole(context, EXECUTION_ROLE).catch((error: unknown) => {
    context.roleArn = undefined
    throw error
  })
  return context.roleArn
}

/** The role EventBridge Scheduler assumes to invoke functions, created once. */
export function schedulerRole(context: AwsContext): Promise<string> {
  context.schedulerRoleArn ??= ensureRole(context, SCHEDULER_ROLE).catch((error: unknown) => {
    context.schedulerRoleArn = undefined
    throw error
  })
  return context.schedulerRoleArn
}

/**
 * Lets cloudfn's own execution role read the queues cloudfn made (putting
 * the policy is idempotent) and takes away the any-queue policy earlier
 * versions attached. A role named in the settings or options is the user's:
 * it must already allow sqs:ReceiveMessage, sqs:DeleteMessage and
 * sqs:GetQueueAttributes on the queue.
 */
export async function allowQueueReading(context: AwsContext, role: string): Promise<void> {
  if (!role.endsWith(`:role/${EXECUTION_ROLE.name}`) || context.settings.role) return
  await putInline(context, EXECUTION_ROLE.name, SQS_READ_POLICY)
  await detachRetired(context, EXECUTION_ROLE.name, [SQS_EXECUTION_POLICY])
}

/**
 * Lets cloudfn's own execution role send a topic subscriber's failed events
 * to its dead-letter queue (Lambda's on-failure destination uses the
 * function's role). A role named in the settings or options must already
 * allow sqs:SendMessage on it.
 */
export async function allowDeadLetterSending(context: AwsContext, role: string): Promise<void> {
  if (!role.endsWith(`:role/${EXECUTION_ROLE.name}`) || context.settings.role) return
  await putInline(context, EXECUTION_ROLE.name, SQS_SEND_POLICY)
}

async function putInline(context: AwsContext, roleName: string, policy: InlinePolicy): Promise<void> {
  const { client, sdk } = await context.clients.iam()
  await awsCall(control('role policy', roleName), () =>
    client.send(new sdk.PutRolePolicyCommand({ RoleName: roleName, PolicyName: policy.name, PolicyDocument: policy.document })),
  )
}

async function detachRetired(context: AwsContext, roleName: string, policies: readonly string[]): Promise<void> {
  const { client, sdk } = await context.clients.iam()
  for (const policy of policies) {
    try {
      await awsCall(control('role policy', roleName), () =>
        client.send(new sdk.DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy })),
      )
    } catch (error) {
      // Not attached: the usual case.
      if (!isAwsNotFound(error)) throw error
    }
  }
}

/** Deletes a role cloudfn made, after what IAM wants gone first: its policies, managed and inline. */
export async function deleteRole(
  context: AwsContext,
  spec: RoleSpec,
  inline: readonly InlinePolicy[],
  retired: readonly string[] = spec.retired ?? [],
): Promise<void> {
  const { client, sdk } = await context.clients.iam()
  const at = control('gc', spec.name)
  await detachRetired(context, spec.name, [...spec.policies, ...retired])
  for (const policy of inline) {
    try {
      await awsCall(at, () => client.send(new sdk.DeleteRolePolicyCommand({ RoleName: spec.name, PolicyName: policy.name })))
    } catch (error) {
      if (!isAwsNotFound(error)) throw error
    }
  }
  try {
    await awsCall(at, () => client.send(new sdk.DeleteRoleCommand({ RoleName: spec.name })))
  } catch (error) {
    if (!isAwsNotFound(error)) throw error
  }
}

async function ensureRole(context: AwsContext, spec: RoleSpec): Promise<string> {
  const { client, sdk } = await context.clients.iam()
  const get = () => awsCall(control('role lookup', spec.name), () => client.send(new sdk.GetRoleCommand({ RoleName: spec.name })))
  try {
    const found = await get()
    if (found.Role?.Arn) {
      // A role an earlier version made: bring its policies up to date.
      if (spec.inline) await putInline(context, spec.name, spec.inline)
      await detachRetired(context, spec.name, spec.retired ?? [])
      return found.Role.Arn
    }
  } catch (error) {
    if (!isAwsNotFound(error)) throw error
  }
  let arn: string | undefined
  try {
    const created = await awsCall(control('role creation', spec.name), () =>
      client.send(
        new sdk.CreateRoleCommand({
          RoleName: spec.name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: spec.service }, Action: 'sts:AssumeRole' }],
          }),
          Description: spec.description,
          Tags: [MANAGED_TAG],
        }),
      ),
    )
    arn = created.Role?.Arn
  } catch (error) {
    // Another deploy created it first.
    if ((error as { cause?: { name?: string } }).cause?.name !== 'EntityAlreadyExistsException') throw error
    arn = (await get()).Role?.Arn
  }
  for (const policy of spec.policies) {
    await awsCall(control('role policy', spec.name), () =>
      client.send(new sdk.AttachRolePolicyCommand({ RoleName: spec.name, PolicyArn: policy })),
    )
  }
  if (spec.inline) await putInline(context, spec.name, spec.inline)
  if (!arn) throw new Error('IAM created the role but returned no ARN')
  return arn
}
