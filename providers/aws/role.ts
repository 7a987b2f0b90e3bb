import { type AwsContext, awsCall, control } from './context.ts'
import { isAwsNotFound } from './errors.ts'

export const MANAGED_TAG = { Key: 'cloudfn:managed', Value: 'true' }

/** A role cloudfn creates once and shares between functions. */
export interface RoleSpec {
  name: string
  /** The service that assumes it. */
  service: string
  description: string
  /** AWS managed policies attached when the role is created. */
  policies: readonly string[]
}

/** Writing its own logs is all a cloudfn function needs. */
export const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'
/** What a queue-triggered function's event source mapping needs: receive, delete and read attributes of SQS queues. */
export const SQS_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole'
/** lambda:InvokeFunction, which EventBridge Scheduler needs to run a function. */
export const INVOKE_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaRole'

export const EXECUTION_ROLE: RoleSpec = {
  name: 'cloudfn-lambda-execution',
  service: 'lambda.amazonaws.com',
  description: 'Execution role of functions deployed by cloudfn (logs; SQS reads once a queue trigger is deployed)',
  policies: [BASIC_EXECUTION_POLICY],
}
export const EXECUTION_ROLE_NAME = EXECUTION_ROLE.name

export const SCHEDULER_ROLE: RoleSpec = {
  name: 'cloudfn-scheduler',
  service: 'scheduler.amazonaws.com',
  description: 'Lets EventBridge Scheduler invoke functions deployed by cloudfn with a schedule trigger',
  policies: [INVOKE_POLICY],
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
 * Lets cloudfn's own execution role read SQS (attaching is idempotent). A
 * role named in the settings or options is the user's: it must already
 * allow sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes.
 */
export async function allowQueueReading(context: AwsContext, role: string): Promise<void> {
  if (!role.endsWith(`:role/${EXECUTION_ROLE.name}`) || context.settings.role) return
  const { client, sdk } = await context.clients.iam()
  await awsCall(control('execution role policy', EXECUTION_ROLE.name), () =>
    client.send(new sdk.AttachRolePolicyCommand({ RoleName: EXECUTION_ROLE.name, PolicyArn: SQS_EXECUTION_POLICY })),
  )
}

async function ensureRole(context: AwsContext, spec: RoleSpec): Promise<string> {
  const { client, sdk } = await context.clients.iam()
  const get = () => awsCall(control('role lookup', spec.name), () => client.send(new sdk.GetRoleCommand({ RoleName: spec.name })))
  try {
    const found = await get()
    if (found.Role?.Arn) return found.Role.Arn
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
  if (!arn) throw new Error('IAM created the role but returned no ARN')
  return arn
}
