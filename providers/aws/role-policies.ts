/**
 * The IAM policies of the roles cloudfn makes. Each grants only what one
 * service needs, and only on resources cloudfn tagged, so a shared role
 * cannot reach the rest of the account.
 */

export const MANAGED_TAG = { Key: 'cloudfn:managed', Value: 'true' }

/** A policy document embedded in one role (PutRolePolicy), so it grants nothing elsewhere. */
export interface InlinePolicy {
  name: string
  document: string
}

/** Writing its own logs is all a cloudfn function needs. */
export const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'
/** What earlier versions attached for queue triggers: it reads ANY queue of the account. */
export const SQS_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole'
/** What earlier versions gave the scheduler role: it invokes ANY function of the account. */
export const INVOKE_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaRole'

/** Only resources cloudfn tagged (its functions and queues carry `cloudfn:managed=true` from creation). */
const MANAGED_ONLY = { StringEquals: { [`aws:ResourceTag/${MANAGED_TAG.Key}`]: MANAGED_TAG.Value } }

function allowTagged(actions: readonly string[], resource: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resource, Condition: MANAGED_ONLY }],
  })
}

/** What an event source mapping needs of a queue cloudfn made: receive, delete, read attributes. */
export const SQS_READ_POLICY: InlinePolicy = {
  name: 'cloudfn-sqs-read',
  document: allowTagged(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], 'arn:aws:sqs:*:*:*'),
}

/** What a topic subscriber's on-failure destination needs: Lambda sends the record with the execution role. */
export const SQS_SEND_POLICY: InlinePolicy = {
  name: 'cloudfn-sqs-send',
  document: allowTagged(['sqs:SendMessage'], 'arn:aws:sqs:*:*:*'),
}

/** What EventBridge Scheduler needs to run a cloudfn function, and nothing else. */
export const SCHEDULER_INVOKE_POLICY: InlinePolicy = {
  name: 'cloudfn-invoke',
  document: allowTagged(['lambda:InvokeFunction'], 'arn:aws:lambda:*:*:function:*'),
}
