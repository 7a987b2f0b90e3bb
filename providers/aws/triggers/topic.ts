/**
 * A topic trigger on AWS: the shared SNS topic `<name>` (made by the first
 * subscriber's deploy unless it exists) and, per subscriber, a Lambda
 * subscription to it, the resource-policy statement that lets SNS invoke the
 * function (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html), and
 * the function's asynchronous invocation configuration: SNS invokes Lambda
 * asynchronously, so Lambda's retries (MaximumRetryAttempts, 0–2) apply, and
 * the on-failure destination, the subscriber's own SQS queue
 * `<function>-dead-letter`, keeps the invocation record of a copy whose
 * retries ran out (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 *
 * Ownership, by tag: a topic cloudfn made carries `cloudfn:managed` and
 * `cloudfn:shared-topic` but no function tag (it belongs to no single
 * function, so gc never takes it); the dead-letter queue carries the
 * subscriber's name, as a queue trigger's does. The last subscriber out
 * deletes the topic if cloudfn made it; a topic cloudfn did not make is used
 * and never deleted.
 */
import type { Subscription } from '@aws-sdk/client-sns'
import { NotFoundError } from '../../../src/errors/not-found.ts'
import type { GcCandidate } from '../../../src/gc.ts'
import type { PublishRequest } from '../../../src/provider.ts'
import { claimQueues, type QueueClaim, releaseQueues } from '../../../src/triggers/ownership.ts'
import { topicNames, topicRetries } from '../../../src/triggers/topic.ts'
import type { TopicTrigger, Trigger } from '../../../src/triggers/types.ts'
import { AWS_CAPABILITIES } from '../capabilities.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { isAwsNotFound } from '../errors.ts'
import { refusal, whileRolePropagates } from '../propagation.ts'
import { allowDeadLetterSending } from '../role.ts'
import { MANAGED_TAG } from '../role-policies.ts'
import { DEAD_LETTER_RETENTION_SEC, ensureQueue, queueArn, sqsOwnership } from './queue.ts'

/** Marks a topic cloudfn made as shared by its subscribers (no function tag: no single function owns it). */
export const SHARED_TOPIC_TAG = { Key: 'cloudfn:shared-topic', Value: 'true' }

export interface TopicTarget {
  name: string
  arn: string
  role: string
}

/** The statement that lets SNS invoke the function, one per topic. */
const statementId = (topic: string) => `cloudfn-sns-${topic}`.slice(0, 100)

/** A topic's ARN: SNS builds it from the region, account and name, as the function's own ARN is built. */
export function topicArn(functionArn: string, topic: string): string {
  const [arn, partition, , region, account] = functionArn.split(':')
  return [arn, partition, 'sns', region, account, topic].join(':')
}

/** The subscriber's dead-letter queue, as an ownership claim (the topic itself is claimed by tag, not by function). */
const deadLetterClaim = (trigger: TopicTrigger, functionName: string): QueueClaim[] => [
  { name: topicNames(trigger, functionName).deadLetter, role: 'dead-letter', resource: 'SQS queue' },
]

/** Refuses, before the deploy changes anything, a dead-letter queue cloudfn did not make for this function. */
export async function checkTopicOwnership(context: AwsContext, functionName: string, trigger: TopicTrigger): Promise<void> {
  await claimQueues(sqsOwnership(context), deadLetterClaim(trigger, functionName), functionName, 'aws')
}

/** The ARN of the topic of that name, by ListTopics (undefined when there is none). */
async function findTopic(context: AwsContext, name: string): Promise<string | undefined> {
  const { client, sdk } = await context.clients.sns()
  let token: string | undefined
  do {
    const page = await awsCall(control('topic lookup', name), () => client.send(new sdk.ListTopicsCommand({ NextToken: token })))
    const found = page.Topics?.find((topic) => topic.TopicArn?.endsWith(`:${name}`))?.TopicArn
    if (found) return found
    token = page.NextToken
  } while (token)
  return undefined
}

/** The topic's tags; undefined when it does not exist. */
async function topicTags(context: AwsContext, arn: string, name: string): Promise<Record<string, string> | undefined> {
  const { client, sdk } = await context.clients.sns()
  try {
    const answer = await awsCall(control('topic lookup', name), () =>
      client.send(new sdk.ListTagsForResourceCommand({ ResourceArn: arn })),
    )
    return Object.fromEntries((answer.Tags ?? []).map((tag) => [tag.Key, tag.Value]))
  } catch (error) {
    if (isAwsNotFound(error)) return undefined
    throw error
  }
}

async function subscriptionsOf(context: AwsContext, arn: string, name: string): Promise<Subscription[]> {
  const { client, sdk } = await context.clients.sns()
  const all: Subscription[] = []
  let token: string | undefined
  do {
    const page = await awsCall(control('topic lookup', name), () =>
      client.send(new sdk.ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: token })),
    )
    all.push(...(page.Subscriptions ?? []))
    token = page.NextToken
  } while (token)
  return all
}

/** A subscription's endpoint names the function by ARN, possibly with a qualifier. */
const endpointIs = (subscription: Subscription, functionName: string) =>
  subscription.Protocol === 'lambda' && new RegExp(`:function:${functionName}(:|$)`).test(subscription.Endpoint ?? '')

/** Lambda checks at PutFunctionEventInvokeConfig that the role may send to the destination; a new policy may not count yet. */
const cannotSend = refusal('InvalidParameterValueException', /does not have permissions to call SendMessage/i)

/**
 * The subscriber's dead-letter queue and retries, the permission for SNS,
 * the topic (made, tagged as cloudfn's, unless it exists) and the subscription.
 */
export async function syncTopic(context: AwsContext, target: TopicTarget, trigger: TopicTrigger): Promise<void> {
  const names = topicNames(trigger, target.name)
  const arn = topicArn(target.arn, names.topic)
  await ensureQueue(context, names.deadLetter, target.name, { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SEC) })
  await allowDeadLetterSending(context, target.role)
  const lambda = await context.clients.lambda()
  const at = control('topic update', target.name)
  const retries = topicRetries(trigger, AWS_CAPABILITIES.triggers.topic?.maxRetries ?? { default: 2 })
  const configure = () =>
    awsCall(at, () =>
      lambda.client.send(
        new lambda.sdk.PutFunctionEventInvokeConfigCommand({
          FunctionName: target.name,
          MaximumRetryAttempts: retries,
          DestinationConfig: { OnFailure: { Destination: queueArn(target.arn, names.deadLetter) } },
        }),
      ),
    )
  await whileRolePropagates(context, configure, cannotSend)
  try {
    await awsCall(at, () =>
      lambda.client.send(
        new lambda.sdk.AddPermissionCommand({
          FunctionName: target.name,
          StatementId: statementId(names.topic),
          Action: 'lambda:InvokeFunction',
          Principal: 'sns.amazonaws.com',
          SourceArn: arn,
        }),
      ),
    )
  } catch (error) {
    // An earlier deploy added it: the statement is the same.
    const cause = (error as { cause?: { name?: string; message?: string } }).cause
    if (!(cause?.name === 'ResourceConflictException' && /already exists/.test(cause.message ?? ''))) throw error
  }
  const { client, sdk } = await context.clients.sns()
  if ((await topicTags(context, arn, names.topic)) === undefined) {
    // Concurrent first subscribers both create it: CreateTopic with the same tags returns the same topic.
    await awsCall(at, () => client.send(new sdk.CreateTopicCommand({ Name: names.topic, Tags: [MANAGED_TAG, SHARED_TOPIC_TAG] })))
  }
  // Subscribe is idempotent: the function's existing subscription is returned.
  await awsCall(at, () =>
    client.send(
      new sdk.SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: target.arn, ReturnSubscriptionArn: true }),
    ),
  )
}

/** Whether the function is subscribed to its topic (a deploy that stopped half-way is not). */
export async function hasSubscription(context: AwsContext, name: string, trigger: TopicTrigger): Promise<boolean> {
  const arn = await findTopic(context, trigger.name)
  return arn !== undefined && (await subscriptionsOf(context, arn, trigger.name)).some((s) => endpointIs(s, name))
}

/** A topic cloudfn made for its subscribers (by its tags); one it did not make is never deleted. */
const madeByCloudfn = (tags: Record<string, string> | undefined) =>
  tags?.[MANAGED_TAG.Key] === MANAGED_TAG.Value && tags[SHARED_TOPIC_TAG.Key] === SHARED_TOPIC_TAG.Value

/** Whether `functionName` leaving the topic deletes it: no other subscription is left on it, and cloudfn made it. */
async function lastOutDeletes(
  context: AwsContext,
  arn: string,
  topic: string,
  functionName: string,
  subscriptions: readonly Subscription[],
): Promise<boolean> {
  if (subscriptions.some((s) => !endpointIs(s, functionName))) return false
  return madeByCloudfn(await topicTags(context, arn, topic))
}

/** Whether the topic of that name exists (reads only; the plan asks: a subscriber's deploy makes it only when it does not). */
export async function topicExists(context: AwsContext, topic: string): Promise<boolean> {
  return (await findTopic(context, topic)) !== undefined
}

/** Whether `functionName` leaving `topic` deletes it, read as leaveTopic decides it (reads only; the plan asks). */
export async function leavingDeletesTopic(context: AwsContext, topic: string, functionName: string): Promise<boolean> {
  const arn = await findTopic(context, topic)
  if (arn === undefined) return false
  return lastOutDeletes(context, arn, topic, functionName, await subscriptionsOf(context, arn, topic))
}

/**
 * Takes the function off the topic: its subscription, SNS's permission, its
 * retry configuration and its dead-letter queue (if cloudfn made it for this
 * function); `keepDeadLetter` when the function goes on using that queue. The
 * last subscriber out deletes the topic if cloudfn made it.
 */
export async function leaveTopic(
  context: AwsContext,
  name: string,
  trigger: TopicTrigger,
  keep: ReadonlySet<string> = new Set(),
): Promise<void> {
  const { client, sdk } = await context.clients.sns()
  const at = control('topic removal', name)
  const arn = await findTopic(context, trigger.name)
  if (arn !== undefined) {
    const subscriptions = await subscriptionsOf(context, arn, trigger.name)
    for (const subscription of subscriptions.filter((s) => endpointIs(s, name))) {
      try {
        await awsCall(at, () => client.send(new sdk.UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn })))
      } catch (error) {
        if (!isAwsNotFound(error)) throw error
      }
    }
    if (await lastOutDeletes(context, arn, trigger.name, name, subscriptions)) {
      await awsCall(at, () => client.send(new sdk.DeleteTopicCommand({ TopicArn: arn })))
    }
  }
  const lambda = await context.clients.lambda()
  const removals: Array<() => Promise<unknown>> = [
    () =>
      lambda.client.send(new lambda.sdk.RemovePermissionCommand({ FunctionName: name, StatementId: statementId(trigger.name) })),
    () => lambda.client.send(new lambda.sdk.DeleteFunctionEventInvokeConfigCommand({ FunctionName: name })),
  ]
  for (const remove of removals) {
    try {
      await awsCall(at, remove)
    } catch (error) {
      // Not there (an earlier removal, or a deploy that stopped before making it).
      if (!isAwsNotFound(error)) throw error
    }
  }
  await releaseQueues(sqsOwnership(context), deadLetterClaim(trigger, name), name, keep)
}

/** Whether two topic triggers use the same topic and dead-letter queue (so nothing needs to move). */
export function sameTopic(a: Trigger | undefined, b: Trigger | undefined, functionName: string): boolean {
  if (a?.kind !== 'topic' || b?.kind !== 'topic') return false
  const [x, y] = [topicNames(a, functionName), topicNames(b, functionName)]
  return x.topic === y.topic && x.deadLetter === y.deadLetter
}

/** Topic ARNs publish found, by name, per provider: ListTopics pages through every topic of the account. */
const publishArns = new WeakMap<AwsContext, Map<string, string>>()

/** Publish to the topic of that name; `NotFoundError` when there is none (no function subscribes to it). */
export async function publishMessage(
  context: AwsContext,
  request: PublishRequest,
  signal?: AbortSignal,
): Promise<{ messageId: string }> {
  const missing = () =>
    new NotFoundError({
      provider: 'aws',
      resource: request.topic,
      message: `Topic '${request.topic}' does not exist on aws; deploy a function with topic({ name: '${request.topic}' }) first`,
    })
  // A topic's ARN follows from its name, so once found it holds for the provider's life (a deleted topic is NotFound below).
  const known = publishArns.get(context) ?? new Map<string, string>()
  publishArns.set(context, known)
  const arn = known.get(request.topic) ?? (await findTopic(context, request.topic))
  if (arn === undefined) throw missing()
  known.set(request.topic, arn)
  const { client, sdk } = await context.clients.sns()
  try {
    const sent = await awsCall(control('publish', request.topic), () =>
      client.send(new sdk.PublishCommand({ TopicArn: arn, Message: request.message }), { abortSignal: signal }),
    )
    return { messageId: sent.MessageId ?? '' }
  } catch (error) {
    // Deleted between the lookup and the publish.
    if (isAwsNotFound(error)) throw missing()
    throw error
  }
}

/**
 * For gc: shared topics cloudfn made (by their tags) that no cloudfn function
 * subscribes to any more (two last subscribers removed at once each saw the
 * other, or a remove stopped between its steps). SNS keeps no change time,
 * so they go only with `olderThanMs: 0`, like GCP's.
 */
export async function sharedTopicLeftovers(context: AwsContext, subscribed: ReadonlySet<string>): Promise<GcCandidate[]> {
  let loaded: Awaited<ReturnType<AwsContext['clients']['sns']>>
  try {
    loaded = await context.clients.sns()
  } catch (error) {
    // @aws-sdk/client-sns is an optional peer, needed only by topic triggers: without it this install made no topic.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return []
    throw error
  }
  const { client, sdk } = loaded
  const candidates: GcCandidate[] = []
  let token: string | undefined
  do {
    const page = await awsCall(control('gc'), () => client.send(new sdk.ListTopicsCommand({ NextToken: token })))
    for (const { TopicArn: arn } of page.Topics ?? []) {
      if (!arn) continue
      const name = arn.slice(arn.lastIndexOf(':') + 1)
      if (!madeByCloudfn(await topicTags(context, arn, name))) continue
      candidates.push({
        resource: `topic:${name}`,
        changedAt: undefined,
        unused: !subscribed.has(name),
        remove: () => awsCall(control('gc', name), () => client.send(new sdk.DeleteTopicCommand({ TopicArn: arn }))),
      })
    }
    token = page.NextToken
  } while (token)
  return candidates
}
