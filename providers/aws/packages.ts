import type { RequiredPackage } from '../../src/provider.ts'
import type { Trigger } from '../../src/triggers/types.ts'

/** The AWS SDK clients a deploy of `trigger` will load (see sdk.ts), so a missing one is refused up front. */
export function awsPackages(trigger: Trigger | undefined): RequiredPackage[] {
  const needed: RequiredPackage[] = [
    { name: '@aws-sdk/client-lambda', for: 'deploying to Lambda' },
    { name: '@aws-sdk/client-iam', for: 'the execution role' },
    { name: '@aws-sdk/client-cloudwatch-logs', for: 'logs() and remove()' },
  ]
  if (trigger?.kind === 'schedule') needed.push({ name: '@aws-sdk/client-scheduler', for: 'schedule() triggers' })
  if (trigger?.kind === 'queue') needed.push({ name: '@aws-sdk/client-sqs', for: 'queue() triggers' })
  if (trigger?.kind === 'topic') {
    // The subscriber's dead-letter queue is an SQS queue.
    needed.push(
      { name: '@aws-sdk/client-sns', for: 'topic() triggers' },
      { name: '@aws-sdk/client-sqs', for: 'topic() triggers' },
    )
  }
  if (trigger?.kind === 'storage') needed.push({ name: '@aws-sdk/client-s3', for: 'storage() triggers' })
  if (trigger?.kind === 'http' && trigger.auth === 'iam') {
    needed.push(
      { name: '@smithy/signature-v4', for: "signing fetch() to an http({ auth: 'iam' }) function" },
      { name: '@smithy/hash-node', for: "signing fetch() to an http({ auth: 'iam' }) function" },
    )
  }
  return needed
}
