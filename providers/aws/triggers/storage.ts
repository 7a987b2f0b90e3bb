/**
 * A storage trigger on AWS: S3 event notifications to Lambda
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html). Per
 * subscriber: one entry of the bucket's notification configuration, Id
 * `cloudfn-<function>` (events `s3:ObjectCreated:*` / `s3:ObjectRemoved:*`,
 * the prefix and suffix as filter rules), and the resource-policy statement
 * that lets S3 invoke the function for that bucket. S3 invokes
 * asynchronously, so Lambda's retries (two by default) apply.
 *
 * The bucket: made by the deploy when it does not exist (then tagged
 * `cloudfn:managed` and `cloudfn:shared-bucket`: it belongs to no single
 * function), used as it is otherwise. A bucket's notification configuration
 * is one document, so each change reads it, replaces only the function's
 * own entry and writes it back: entries of other functions and tools stay.
 * The last subscriber out deletes the bucket only if cloudfn made it, no
 * notification entry is left on it and it holds no object.
 */
import type { LambdaFunctionConfiguration, NotificationConfiguration } from '@aws-sdk/client-s3'
import type { StorageFacts } from '../../../src/plan.ts'
import type { StorageTrigger, Trigger } from '../../../src/triggers/types.ts'
import { fail } from '../../../src/validation.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { isAwsNotFound } from '../errors.ts'
import { whileRolePropagates } from '../propagation.ts'
import { MANAGED_TAG } from '../role-policies.ts'
import { getConfiguration } from '../wait.ts'
import type { QueueTarget } from './queue.ts'

/** Marks a bucket cloudfn made for its subscribers (no function tag: no single function owns it). */
export const SHARED_BUCKET_TAG = { Key: 'cloudfn:shared-bucket', Value: 'true' }

const S3_EVENTS = { created: 's3:ObjectCreated:*', deleted: 's3:ObjectRemoved:*' } as const

/** The function's entry in the bucket's notification configuration. */
export const notificationId = (functionName: string) => `cloudfn-${functionName}`

/** The function a `cloudfn-<function>` entry is for; undefined for anyone else's entry (a bare `cloudfn-` names no function). */
export const functionOfEntry = (id: string | undefined) =>
  id?.startsWith('cloudfn-') && id.length > 'cloudfn-'.length ? id.slice('cloudfn-'.length) : undefined

/**
 * An unqualified function ARN's parts (`arn:<partition>:lambda:<region>:<account>:function:<name>`,
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html); undefined for
 * anything else, a version's or alias's ARN included (cloudfn's entries name none).
 */
export function functionArnParts(arn: string | undefined): { region: string; account: string; name: string } | undefined {
  const match = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)$/.exec(arn ?? '')
  return match ? { region: match[1] ?? '', account: match[2] ?? '', name: match[3] ?? '' } : undefined
}

/** The statement that lets S3 invoke the function, one per bucket. */
const statementId = (bucket: string) => `cloudfn-s3-${bucket}`

/** The name of the S3 error under the cloudfn error awsCall made of it. */
export const s3ErrorName = (error: unknown) =>
  (error as { cause?: { name?: string } }).cause?.name ?? (error as { name?: string }).name

/** What S3 answers for a bucket that is not there: NoSuchBucket, or a bare 404 (NotFound) to HEAD. */
export const noBucket = (error: unknown) => ['NoSuchBucket', 'NotFound'].includes(s3ErrorName(error) ?? '')

/** The entry the function needs for `trigger`. */
function entryFor(trigger: StorageTrigger, functionArn: string, functionName: string): LambdaFunctionConfiguration {
  const rules = [
    ...(trigger.prefix === undefined ? [] : [{ Name: 'prefix' as const, Value: trigger.prefix }]),
    ...(trigger.suffix === undefined ? [] : [{ Name: 'suffix' as const, Value: trigger.suffix }]),
  ]
  return {
    Id: notificationId(functionName),
    LambdaFunctionArn: functionArn,
    Events: trigger.events.map((event) => S3_EVENTS[event]),
    ...(rules.length === 0 ? {} : { Filter: { Key: { FilterRules: rules } } }),
  }
}

/** An entry of any destination kind, as the overlap rule reads it. */
interface Entry {
  Id?: string | undefined
  /** A Lambda entry's destination (queue and topic entries have none). */
  LambdaFunctionArn?: string | undefined
  Events?: string[] | undefined
  Filter?: { Key?: { FilterRules?: Array<{ Name?: string | undefined; Value?: string | undefined }> | undefined } | undefined }
}

/** The entry's prefix or suffix; S3 gives the rule names back as `Prefix` and `Suffix`. */
const ruleOf = (entry: Entry, name: 'prefix' | 'suffix') =>
  entry.Filter?.Key?.FilterRules?.find((rule) => rule.Name?.toLowerCase() === name)?.Value || undefined

const eventCovers = (a: string, b: string) => a === b || (a.endsWith(':*') && b.startsWith(a.slice(0, -1)))
const meet = (a: string | undefined, b: string | undefined, suffix: boolean) =>
  a === undefined || b === undefined || (suffix ? a.endsWith(b) || b.endsWith(a) : a.startsWith(b) || b.startsWith(a))

/**
 * S3's rule (notification-how-to-filtering.html): entries that share an event
 * type must not have filters some key passes both of; S3 refuses the whole
 * configuration with "Configurations overlap".
 */
export function entriesOverlap(a: Entry, b: Entry): boolean {
  return (
    (a.Events ?? []).some((x) => (b.Events ?? []).some((y) => eventCovers(x, y) || eventCovers(y, x))) &&
    meet(ruleOf(a, 'prefix'), ruleOf(b, 'prefix'), false) &&
    meet(ruleOf(a, 'suffix'), ruleOf(b, 'suffix'), true)
  )
}

/** Every entry of a configuration, whatever its destination. */
export const entriesOf = (configuration: NotificationConfiguration): Entry[] => [
  ...(configuration.LambdaFunctionConfigurations ?? []),
  ...(configuration.QueueConfigurations ?? []),
  ...(configuration.TopicConfigurations ?? []),
]

/**
 * Whether the bucket is still in use once the entries `leaving` picks are off
 * it: any other entry (any destination, anyone's) or EventBridge delivery
 * (`EventBridgeConfiguration`, an empty element that sends every event of the
 * bucket to EventBridge: https://docs.aws.amazon.com/AmazonS3/latest/API/API_NotificationConfiguration.html).
 * What remove, gc and the plan ask before a bucket cloudfn made may go.
 */
export function bucketInUse(configuration: NotificationConfiguration, leaving: (entry: Entry) => boolean = () => false): boolean {
  return entriesOf(configuration).some((entry) => !leaving(entry)) || configuration.EventBridgeConfiguration !== undefined
}

/** The bucket's notification configuration; undefined when the bucket does not exist. */
export async function readNotifications(context: AwsContext, bucket: string): Promise<NotificationConfiguration | undefined> {
  const { client, sdk } = await context.clients.s3()
  try {
    const { $metadata: _, ...configuration } = await awsCall(control('storage lookup', bucket), () =>
      client.send(new sdk.GetBucketNotificationConfigurationCommand({ Bucket: bucket })),
    )
    return configuration
  } catch (error) {
    if (noBucket(error)) return undefined
    throw error
  }
}

/** The ARNs S3 names (`ArgumentName1`, `ArgumentName2`, ...) when it refuses destinations it cannot use. */
function unvalidated(error: unknown): string[] {
  const shape = (error ?? {}) as Record<string, unknown>
  if (shape.name !== 'InvalidArgument' || !/Unable to validate/.test(String(shape.message))) return []
  return (
    Object.entries(shape)
      .filter(([field]) => /^ArgumentName\d+$/.test(field))
      // S3 writes the ARN followed by ", null" (recorded: LocalStack snapshot test_invalid_lambda_arn).
      .map(([, value]) => String(value).split(',')[0]?.trim() ?? '')
  )
}

/**
 * S3 checks every destination of the document on each write, so one entry
 * whose function is gone (deleted outside cloudfn) would block every other
 * subscriber of the bucket. cloudfn's own such entries (`cloudfn-…`, the
 * function missing) are dropped; anyone else's are left for their owner.
 */
async function staleCloudfnEntries(context: AwsContext, refused: readonly string[], keep: string): Promise<Set<string>> {
  const stale = new Set<string>()
  for (const arn of refused) {
    const name = /:function:([^:]+)$/.exec(arn)?.[1]
    if (name !== undefined && arn !== keep && (await getConfiguration(context, name)) === undefined) stale.add(arn)
  }
  return stale
}

/**
 * Writes the configuration with the function's own entry replaced by `entry`
 * (or taken out). `refused` gets the destinations S3 could not validate (the
 * SDK's exception names them; the cloudfn error made of it keeps no such field).
 *
 * A write that only takes the entry out (remove, gc) asks S3 to skip checking
 * the destinations (`SkipDestinationValidation`,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html):
 * it adds none, and a queue or topic of someone else's deleted meanwhile would
 * otherwise make S3 refuse every such write to the bucket.
 */
export async function writeNotifications(
  context: AwsContext,
  bucket: string,
  configuration: NotificationConfiguration,
  functionName: string,
  entry: LambdaFunctionConfiguration | undefined,
  refused: Set<string> = new Set(),
): Promise<void> {
  const { client, sdk } = await context.clients.s3()
  let others = (configuration.LambdaFunctionConfigurations ?? []).filter((e) => e.Id !== notificationId(functionName))
  for (let attempt = 0; ; attempt++) {
    const next = { ...configuration, LambdaFunctionConfigurations: entry ? [...others, entry] : others }
    try {
      refused.clear()
      await awsCall(control('storage update', bucket), async () => {
        try {
          return await client.send(
            new sdk.PutBucketNotificationConfigurationCommand({
              Bucket: bucket,
              NotificationConfiguration: next,
              ...(entry ? {} : { SkipDestinationValidation: true }),
            }),
          )
        } catch (error) {
          for (const arn of unvalidated(error)) refused.add(arn)
          throw error
        }
      })
      return
    } catch (error) {
      // Once: what S3 still refuses after that is someone else's, or this function's own (its permission propagating).
      const stale = attempt === 0 ? await staleCloudfnEntries(context, [...refused], entry?.LambdaFunctionArn ?? '') : new Set()
      const dropped = others.filter((e) => !(functionOfEntry(e.Id) !== undefined && stale.has(e.LambdaFunctionArn ?? '')))
      if (dropped.length === others.length) throw error
      others = dropped
    }
  }
}

/**
 * Refuses, before the deploy changes anything, a trigger S3 would refuse:
 * a bucket name S3 alone reserves, or filters that overlap another entry of
 * the bucket's notification configuration on a shared event type.
 */
export async function checkStorageConfig(context: AwsContext, functionName: string, trigger: StorageTrigger): Promise<void> {
  // The other reserved forms (xn--, sthree-, -s3alias, ...) are already outside the names storage() accepts.
  if (trigger.bucket.startsWith('amzn-s3-demo-')) {
    fail('trigger.bucket', `must not start with 'amzn-s3-demo-', which S3 reserves (got '${trigger.bucket}')`)
  }
  if (!(await bucketExists(context, trigger.bucket))) return
  const configuration = await readNotifications(context, trigger.bucket)
  if (!configuration) return
  const own = entryFor(trigger, '', functionName)
  const clash = entriesOf(configuration).find((entry) => entry.Id !== own.Id && entriesOverlap(own, entry))
  if (clash) {
    fail(
      'trigger',
      `overlaps the notification '${clash.Id}' of S3 bucket '${trigger.bucket}': S3 refuses two notifications that share an event type unless their prefixes or suffixes keep them apart`,
    )
  }
}

/** The bucket's tags; undefined when it has none (or does not exist). */
async function bucketTags(context: AwsContext, bucket: string): Promise<Record<string, string> | undefined> {
  const { client, sdk } = await context.clients.s3()
  try {
    const { TagSet } = await awsCall(control('storage lookup', bucket), () =>
      client.send(new sdk.GetBucketTaggingCommand({ Bucket: bucket })),
    )
    return Object.fromEntries((TagSet ?? []).map((tag) => [tag.Key, tag.Value]))
  } catch (error) {
    if (noBucket(error) || s3ErrorName(error) === 'NoSuchTagSet') return undefined
    throw error
  }
}

/**
 * Whether the bucket exists (HeadBucket). Bucket names are global: a bucket
 * of another account answers 403 (as it does to credentials without
 * s3:ListBucket), refused here as the trigger's bucket before anything is made.
 */
export async function bucketExists(context: AwsContext, bucket: string): Promise<boolean> {
  const { client, sdk } = await context.clients.s3()
  let status: number | undefined
  try {
    await awsCall(control('storage lookup', bucket), async () => {
      try {
        return await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }))
      } catch (error) {
        status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
        throw error
      }
    })
    return true
  } catch (error) {
    if (status === 403) {
      fail(
        'trigger.bucket',
        `names an S3 bucket these credentials may not use ('${bucket}'): another AWS account owns it (bucket names are global), or the credentials lack s3:ListBucket on it`,
      )
    }
    if (noBucket(error)) return false
    throw error
  }
}

/** Makes the bucket, tagged as cloudfn's; one made meanwhile (by a concurrent first subscriber) is used as it is. */
async function ensureBucket(context: AwsContext, bucket: string): Promise<void> {
  if (await bucketExists(context, bucket)) return
  const { client, sdk } = await context.clients.s3()
  const at = control('storage update', bucket)
  try {
    // Outside us-east-1 S3 wants the region as the location constraint; the SDK fills it in from the client's region.
    await awsCall(at, () => client.send(new sdk.CreateBucketCommand({ Bucket: bucket })))
  } catch (error) {
    if (s3ErrorName(error) === 'BucketAlreadyOwnedByYou') return
    if (s3ErrorName(error) === 'BucketAlreadyExists') {
      fail('trigger.bucket', `names an S3 bucket another AWS account owns (bucket names are global); choose another name`)
    }
    throw error
  }
  await awsCall(at, () =>
    client.send(new sdk.PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [MANAGED_TAG, SHARED_BUCKET_TAG] } })),
  )
}

/** The bucket (made unless it exists), the permission for S3 and the function's notification entry. */
export async function syncStorage(context: AwsContext, target: QueueTarget, trigger: StorageTrigger): Promise<void> {
  await ensureBucket(context, trigger.bucket)
  const lambda = await context.clients.lambda()
  const account = target.arn.split(':')[4]
  try {
    await awsCall(control('storage update', target.name), () =>
      lambda.client.send(
        new lambda.sdk.AddPermissionCommand({
          FunctionName: target.name,
          StatementId: statementId(trigger.bucket),
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          // A bucket ARN names no account: SourceAccount keeps another account's bucket of that name out.
          SourceArn: `arn:aws:s3:::${trigger.bucket}`,
          SourceAccount: account,
        }),
      ),
    )
  } catch (error) {
    // An earlier deploy added it: the statement is the same.
    const cause = (error as { cause?: { name?: string; message?: string } }).cause
    if (!(cause?.name === 'ResourceConflictException' && /already exists/.test(cause.message ?? ''))) throw error
  }
  const entry = entryFor(trigger, target.arn, target.name)
  const refused = new Set<string>()
  const write = async () => {
    const configuration = (await readNotifications(context, trigger.bucket)) ?? {}
    await writeNotifications(context, trigger.bucket, configuration, target.name, entry, refused)
  }
  try {
    // S3 checks the function's permission when the configuration is written; a statement just added may not count yet.
    await whileRolePropagates(context, write, () => refused.has(target.arn))
  } catch (error) {
    // Another entry was added since the check before the deploy.
    if (s3ErrorName(error) === 'InvalidArgument' && /overlap/i.test((error as { cause?: Error }).cause?.message ?? '')) {
      fail('trigger', `overlaps another notification of S3 bucket '${trigger.bucket}' on a shared event type`)
    }
    throw error
  }
}

/** Whether the function's notification entry is on its bucket (a deploy that stopped half-way has none). */
export async function hasNotification(context: AwsContext, name: string, trigger: StorageTrigger): Promise<boolean> {
  const configuration = await readNotifications(context, trigger.bucket)
  return (configuration?.LambdaFunctionConfigurations ?? []).some((entry) => entry.Id === notificationId(name))
}

/** Whether the bucket holds no object (one ListObjectsV2 key). */
export async function bucketEmpty(context: AwsContext, bucket: string): Promise<boolean> {
  const { client, sdk } = await context.clients.s3()
  const listed = await awsCall(control('storage lookup', bucket), () =>
    client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 })),
  )
  return (listed.KeyCount ?? listed.Contents?.length ?? 0) === 0
}

/** Whether the bucket goes once `functionName` leaves it: no other entry left, cloudfn made it, and it is empty. */
async function leavingDeletes(
  context: AwsContext,
  bucket: string,
  functionName: string,
  configuration: NotificationConfiguration,
): Promise<boolean> {
  if (bucketInUse(configuration, (entry) => entry.Id === notificationId(functionName))) return false
  return (await madeBucket(context, bucket)) && bucketEmpty(context, bucket)
}

/** Whether cloudfn made the bucket for its subscribers (its two tags; a bucket without tags is someone else's). */
export async function madeBucket(context: AwsContext, bucket: string): Promise<boolean> {
  const tags = await bucketTags(context, bucket)
  return tags?.[MANAGED_TAG.Key] === MANAGED_TAG.Value && tags[SHARED_BUCKET_TAG.Key] === SHARED_BUCKET_TAG.Value
}

/**
 * Deletes the bucket: an object written since the check keeps it (S3 answers
 * BucketNotEmpty: false); one deleted meanwhile is gone already (true).
 */
export async function deleteBucket(context: AwsContext, bucket: string, operation: string): Promise<boolean> {
  const { client, sdk } = await context.clients.s3()
  try {
    await awsCall(control(operation, bucket), () => client.send(new sdk.DeleteBucketCommand({ Bucket: bucket })))
    return true
  } catch (error) {
    const name = s3ErrorName(error)
    if (name === 'BucketNotEmpty') return false
    if (name === 'NoSuchBucket') return true
    throw error
  }
}

/**
 * Takes the function off its bucket: its notification entry and S3's
 * permission. The last subscriber out deletes the bucket if cloudfn made it
 * and it is empty; any other bucket stays.
 */
export async function leaveStorage(context: AwsContext, name: string, trigger: StorageTrigger): Promise<void> {
  const { bucket } = trigger
  const configuration = await readNotifications(context, bucket)
  if (configuration) {
    const mine = (configuration.LambdaFunctionConfigurations ?? []).some((entry) => entry.Id === notificationId(name))
    if (mine) await writeNotifications(context, bucket, configuration, name, undefined)
    if (await leavingDeletes(context, bucket, name, configuration)) await deleteBucket(context, bucket, 'storage removal')
  }
  const lambda = await context.clients.lambda()
  try {
    await awsCall(control('storage removal', name), () =>
      lambda.client.send(new lambda.sdk.RemovePermissionCommand({ FunctionName: name, StatementId: statementId(bucket) })),
    )
  } catch (error) {
    // Not there (an earlier removal, or a deploy that stopped before making it).
    if (!isAwsNotFound(error)) throw error
  }
}

/** Whether both are storage triggers on one bucket: syncStorage then replaces the entry, and the bucket stays. */
export function sameBucket(a: Trigger | undefined, b: Trigger | undefined): boolean {
  return a?.kind === 'storage' && b?.kind === 'storage' && a.bucket === b.bucket
}

/**
 * What the plan of storage triggers needs, read as syncStorage and
 * leaveStorage decide it (reads only): whether the new bucket exists, and
 * whether leaving the old one deletes it.
 */
export async function readStorageFacts(
  context: AwsContext,
  name: string,
  before: Trigger | undefined,
  after: Trigger | undefined,
): Promise<StorageFacts> {
  const oldBucket = before?.kind === 'storage' ? before.bucket : undefined
  const newBucket = after?.kind === 'storage' ? after.bucket : undefined
  let leftBucketDeleted = false
  if (oldBucket !== undefined && oldBucket !== newBucket) {
    const configuration = await readNotifications(context, oldBucket)
    leftBucketDeleted = configuration !== undefined && (await leavingDeletes(context, oldBucket, name, configuration))
  }
  return { bucketExists: newBucket !== undefined && (await bucketExists(context, newBucket)), leftBucketDeleted }
}
