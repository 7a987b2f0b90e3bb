import { type AwsContext, awsCall, control } from './context.ts'
import { isAwsNotFound } from './errors.ts'

export const EXECUTION_ROLE_NAME = 'cloudfn-lambda-execution'
/** Writing its own logs is all a cloudfn function needs. */
export const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'
export const MANAGED_TAG = { Key: 'cloudfn:managed', Value: 'true' }

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
})

/** The execution role for new functions: the configured one, or a least-privilege role created once. */
export function executionRole(context: AwsContext): Promise<string> {
  if (context.settings.role) return Promise.resolve(context.settings.role)
  context.roleArn ??= ensureRole(context).catch((error: unknown) => {
    context.roleArn = undefined
    throw error
  })
  return context.roleArn
}

async function ensureRole(context: AwsContext): Promise<string> {
  const { client, sdk } = await context.clients.iam()
  const get = () =>
    awsCall(control('execution role lookup', EXECUTION_ROLE_NAME), () =>
      client.send(new sdk.GetRoleCommand({ RoleName: EXECUTION_ROLE_NAME })),
    )
  try {
    const found = await get()
    if (found.Role?.Arn) return found.Role.Arn
  } catch (error) {
    if (!isAwsNotFound(error)) throw error
  }
  let arn: string | undefined
  try {
    const created = await awsCall(control('execution role creation', EXECUTION_ROLE_NAME), () =>
      client.send(
        new sdk.CreateRoleCommand({
          RoleName: EXECUTION_ROLE_NAME,
          AssumeRolePolicyDocument: TRUST_POLICY,
          Description: 'Execution role of functions deployed by cloudfn (logs only)',
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
  await awsCall(control('execution role policy', EXECUTION_ROLE_NAME), () =>
    client.send(new sdk.AttachRolePolicyCommand({ RoleName: EXECUTION_ROLE_NAME, PolicyArn: BASIC_EXECUTION_POLICY })),
  )
  if (!arn) throw new Error('IAM created the execution role but returned no ARN')
  return arn
}
