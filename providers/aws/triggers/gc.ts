import type { LambdaFunctionConfiguration } from '@aws-sdk/client-s3'
import { type GcCandidate, KEPT, selectCollectable } from '../../../src/gc.ts'
import type { GcOptions } from '../../../src/provider.ts'
import { type AwsContext, awsCall, control } from '../context.ts'
import { getConfiguration } from '../wait.ts'
import { deleteQueue, listManagedQueues } from './queue.ts'
import { deleteSchedule, listSchedules, scheduleName } from './schedule.ts'
import {
  bucketEmpty,
  bucketInUse,
  deleteBucket,
  functionArnParts,
  functionOfEntry,
  madeBucket,
  noBucket,
  notificationId,
  readNotifications,
  s3ErrorName,
  writeNotifications,
} from './storage.ts'

/** A trigger resource and the function it was made for (a schedule keeps the scheduler role in use). */
export interface TriggerCandidate extends GcCandidate {
  kind: 'schedule' | 'queue'
  functionName: string
}

/**
 * Trigger resources left by a deploy or remove that stopped half-way:
 * cloudfn's schedules (known by name) and queues (known by tag) whose
 * function no longer exists. A function gc removes takes its own along.
 */
export async function orphanedTriggerResources(context: AwsContext, functions: ReadonlySet<string>): Promise<TriggerCandidate[]> {
  const schedules = (await listSchedules(context)).map(
    ({ functionName, changedAt }): TriggerCandidate => ({
      kind: 'schedule',
      functionName,
      resource: `schedule:${scheduleName(functionName)}`,
      changedAt,
      unused: !functions.has(functionName),
      remove: () => deleteSchedule(context, functionName),
    }),
  )
  const queues = (await listManagedQueues(context)).map(
    ({ name, functionName, changedAt }): TriggerCandidate => ({
      kind: 'queue',
      functionName,
      resource: `queue:${name}`,
      changedAt,
      unused: !functions.has(functionName),
      remove: () => deleteQueue(context, name),
    }),
  )
  return [...schedules, ...queues]
}

/**
 * The account's buckets in the provider's region (paginated ListBuckets, as
 * S3 asks of accounts above 10,000 buckets; `bucket-region` because a
 * regional client cannot read other regions' buckets:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
 */
async function regionBuckets(context: AwsContext): Promise<string[]> {
  const { client, sdk } = await context.clients.s3()
  const { region } = context.settings
  const names: string[] = []
  let token: string | undefined
  do {
    const page = await awsCall(control('gc'), () =>
      client.send(new sdk.ListBucketsCommand({ BucketRegion: region, MaxBuckets: 1000, ContinuationToken: token })),
    )
    names.push(...(page.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : [])))
    token = page.ContinuationToken
  } while (token)
  return names
}

/** Where gc judges entries: the provider's region and its account (unknown when gc found nothing naming it). */
export interface GcHome {
  account: string | undefined
  region: string
}

/**
 * The function a `cloudfn-<function>` entry is for, when it is cloudfn's to
 * judge: its Id names the function of its ARN, and that ARN is in this
 * account and region. Anything else (an Id pointing elsewhere, another
 * account's or region's function of that name) is not gc's.
 */
function ownFunction(
  entry: { Id?: string | undefined; LambdaFunctionArn?: string | undefined },
  home: GcHome,
): string | undefined {
  const name = functionOfEntry(entry.Id)
  const arn = functionArnParts(entry.LambdaFunctionArn)
  const own = name !== undefined && arn?.name === name && arn.account === home.account && arn.region === home.region
  return own ? name : undefined
}

/**
 * Whether Lambda says the entry's function does not exist (GetFunctionConfiguration
 * of its ARN answers ResourceNotFoundException). AccessDenied says nothing of it: not gone.
 */
async function functionGone(context: AwsContext, arn: string): Promise<boolean> {
  try {
    return (await getConfiguration(context, arn)) === undefined
  } catch (error) {
    const name = s3ErrorName(error)
    if (name === 'AccessDeniedException' || name === 'AccessDenied') return false
    throw error
  }
}

/** Whether the entry is a gone function's: cloudfn's to judge, its function not among those listed, and Lambda says it is not there. */
async function goneEntry(
  context: AwsContext,
  entry: LambdaFunctionConfiguration,
  home: GcHome,
  functions: ReadonlySet<string>,
): Promise<boolean> {
  const name = ownFunction(entry, home)
  return name !== undefined && !functions.has(name) && (await functionGone(context, entry.LambdaFunctionArn ?? ''))
}

/**
 * Runs one candidate's removal; S3 refusing it (AccessDenied: a bucket policy
 * since; InvalidArgument: a configuration S3 will not take) leaves that
 * candidate as it is, said, and the rest of gc goes on.
 */
async function unlessRefused(resource: string, remove: () => Promise<unknown>): Promise<unknown> {
  try {
    return await remove()
  } catch (error) {
    const name = s3ErrorName(error)
    if (name !== 'AccessDenied' && name !== 'InvalidArgument') throw error
    process.emitWarning(`gc kept ${resource}: S3 refused its removal (${name}: ${(error as Error).message})`, 'CloudfnAwsWarning')
    return KEPT
  }
}

/**
 * Takes a gone function's entry off the bucket, read afresh and judged again:
 * kept when the function is back (a deploy since) or the entry is no longer
 * a gone function's; nothing to do when the entry or its bucket went meanwhile.
 */
async function dropGoneEntry(context: AwsContext, bucket: string, functionName: string, home: GcHome): Promise<unknown> {
  const configuration = await readNotifications(context, bucket)
  const entry = configuration?.LambdaFunctionConfigurations?.find((e) => e.Id === notificationId(functionName))
  if (!configuration || !entry) return undefined
  if (!(await goneEntry(context, entry, home, new Set()))) return KEPT
  await writeNotifications(context, bucket, configuration, functionName, undefined)
  return undefined
}

/** Deletes a bucket gc found unused: kept when an entry is on it again (a subscriber joined since) or an object arrived. */
async function deleteLeftBucket(context: AwsContext, bucket: string): Promise<unknown> {
  const configuration = await readNotifications(context, bucket)
  // Gone meanwhile.
  if (!configuration) return undefined
  if (bucketInUse(configuration)) return KEPT
  return (await deleteBucket(context, bucket, 'gc')) ? undefined : KEPT
}

/** What one bucket holds for gc: gone functions' entries, and the bucket itself when cloudfn made it and nothing stays on it. */
async function bucketLeftovers(
  context: AwsContext,
  bucket: string,
  functions: ReadonlySet<string>,
  goingFunctions: ReadonlySet<string>,
  options: GcOptions,
  home: GcHome,
): Promise<GcCandidate[]> {
  const configuration = await readNotifications(context, bucket)
  // Deleted since the list.
  if (!configuration) return []
  const lambdaEntries = configuration.LambdaFunctionConfigurations ?? []
  const gone: string[] = []
  for (const entry of lambdaEntries) {
    if (await goneEntry(context, entry, home, functions)) gone.push(functionOfEntry(entry.Id) ?? '')
  }
  const entries = new Map(
    gone.map((name): [string, GcCandidate] => {
      const resource = `notification:${bucket}/${notificationId(name)}`
      const remove = () => unlessRefused(resource, () => dropGoneEntry(context, bucket, name, home))
      return [name, { resource, changedAt: undefined, unused: true, remove }]
    }),
  )
  const going = new Set(selectCollectable([...entries.values()], options))
  const leaving = new Set([
    ...goingFunctions,
    ...[...entries].filter(([, candidate]) => going.has(candidate)).map(([name]) => name),
  ])
  // Any other entry (a live subscriber's, anyone else's, a queue or topic) or EventBridge delivery keeps the bucket in use.
  const stays = bucketInUse(configuration, (entry) => leaving.has(ownFunction(entry, home) ?? ''))
  if (stays || !(await madeBucket(context, bucket))) return [...entries.values()]
  const left: GcCandidate = {
    resource: `bucket:${bucket}`,
    changedAt: undefined,
    unused: await bucketEmpty(context, bucket),
    remove: () => unlessRefused(`bucket:${bucket}`, () => deleteLeftBucket(context, bucket)),
  }
  return [...entries.values(), left]
}

/** A bucket gc cannot judge: gone since the list, or one whose policy keeps these credentials out. */
const unreadable = (error: unknown) => noBucket(error) || s3ErrorName(error) === 'AccessDenied'

/**
 * For gc: what storage() subscribers that went another way (deleted outside
 * cloudfn, a remove that stopped half-way) left on S3. Their `cloudfn-<function>`
 * notification entries, on any bucket of the region, whose function no longer
 * exists: the Id names the function of the entry's ARN, that ARN is in this
 * account and region, and Lambda answers NotFound for it (anyone else's entry,
 * or one Lambda will not say about, is never touched); and buckets cloudfn made (its
 * tags) that no entry stays on once those and the functions gc removes are
 * gone, when empty (one holding objects is only listed as kept). A bucket
 * these credentials may not read is left as it is, and without
 * s3:ListAllMyBuckets S3 is left alone: the rest of gc does not depend on it.
 *
 * S3 keeps no change time for a notification entry, and a bucket's
 * CreationDate says nothing of when its last subscriber left (a deploy may
 * be joining an old bucket right now): both carry no `changedAt`, so they
 * go only with `olderThanMs: 0`, as Azure's containers and AWS's shared topics.
 */
export async function storageLeftovers(
  context: AwsContext,
  functions: ReadonlySet<string>,
  goingFunctions: ReadonlySet<string>,
  options: GcOptions,
  home: GcHome,
): Promise<GcCandidate[]> {
  let buckets: string[]
  try {
    buckets = await regionBuckets(context)
  } catch (error) {
    // @aws-sdk/client-s3 is an optional peer, needed only by storage triggers: without it this install made no entry
    // (ESM's import() says ERR_MODULE_NOT_FOUND, the CJS build's require MODULE_NOT_FOUND).
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return []
    if (s3ErrorName(error) !== 'AccessDenied') throw error
    process.emitWarning(
      "gc left S3 alone: listing the account's buckets was refused (AccessDenied), so storage() subscribers' leftover notification entries and empty buckets cloudfn made were not looked for. The credential needs s3:ListAllMyBuckets.",
      'CloudfnAwsWarning',
    )
    return []
  }
  const found: GcCandidate[][] = []
  for (const bucket of buckets) {
    try {
      found.push(await bucketLeftovers(context, bucket, functions, goingFunctions, options, home))
    } catch (error) {
      if (!unreadable(error)) throw error
    }
  }
  // Entries before buckets: a bucket goes once nothing is left on it.
  const isBucket = (candidate: GcCandidate) => candidate.resource.startsWith('bucket:')
  const all = found.flat()
  return [...all.filter((candidate) => !isBucket(candidate)), ...all.filter(isBucket)]
}
