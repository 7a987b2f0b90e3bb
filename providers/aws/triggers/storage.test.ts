import { createHash } from 'node:crypto'
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda'
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { withOverrides } from 'cloudfn'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { caughtError } from '../../../conformance/expect.ts'
import { storageRecorder } from '../../../conformance/fixtures/storage.ts'
import { createInboxes } from '../../../conformance/inbox.ts'
import { storage } from '../../../src/triggers/storage.ts'
import type { StorageTrigger } from '../../../src/triggers/types.ts'
import { createAwsEmulator, FAKE_CREDENTIALS } from '../emulator/index.ts'
import { newBucket, s3Event } from '../emulator/s3-model.ts'
import { aws } from '../index.ts'
import { createEntry } from '../shim.ts'
import { decodeTrigger, encodeTrigger } from './describe.ts'
import { functionOfEntry } from './storage.ts'
import { storageEventOfS3 } from './storage-event.ts'

const region = 'eu-west-1'
const emulator = createAwsEmulator({ region, stateDelayMs: 5, updateDelayMs: 5, asyncRetryDelayMs: 1 })
emulator.listen()
const inboxes = createInboxes()
afterAll(async () => {
  await emulator.close()
  inboxes.close()
})
const { state } = emulator
const cloud = aws({ region, credentials: FAKE_CREDENTIALS, pollIntervalMs: 2, retry: { baseDelayMs: 1, maxAttempts: 3 } })
const s3 = new S3Client({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
let counter = 0
const unique = (base: string) => `${base}-${++counter}`
/** One unique name per base, as a tuple of the same length. */
const uniques = <T extends string[]>(...bases: T) => bases.map(unique) as { [K in keyof T]: string }
const deployOn = (name: string, trigger: StorageTrigger, env?: Record<string, string>) =>
  cloud.deploy(withOverrides(storageRecorder, { trigger, ...(env ? { env } : {}) }), { name })
/** The bucket's notification entries as S3 gives them back: [Id, function, events, rules]. */
const entries = async (bucket: string) =>
  ((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))).LambdaFunctionConfigurations ?? []).map(
    (entry) => [
      entry.Id,
      entry.LambdaFunctionArn,
      entry.Events,
      entry.Filter?.Key?.FilterRules?.map((r) => `${r.Name}=${r.Value}`),
    ],
  )

describe('aws storage triggers on the emulator', () => {
  it('makes a missing bucket (tagged as cloudfn’s), its notification entry and S3’s permission; a put reaches the handler; remove deletes the bucket', async () => {
    const bucket = unique('uploads')
    const name = unique('reader')
    const inbox = inboxes.open()
    const trigger = storage({ bucket, events: ['created', 'deleted'], prefix: 'in/', suffix: '.json' })
    await deployOn(name, trigger, inbox.env)
    expect(state.buckets.get(bucket)?.tags).toEqual([
      { Key: 'cloudfn:managed', Value: 'true' },
      { Key: 'cloudfn:shared-bucket', Value: 'true' },
    ])
    expect(await entries(bucket)).toEqual([
      [`cloudfn-${name}`, state.functionArn(name), ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'], ['Prefix=in/', 'Suffix=.json']],
    ])
    expect([...(state.functions.get(name)?.policy.values() ?? [])]).toContainEqual(
      expect.objectContaining({
        Principal: 's3.amazonaws.com',
        Action: 'lambda:InvokeFunction',
        Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:s3:::${bucket}` } },
      }),
    )
    const writes = state.writeCount
    expect((await deployOn(name, trigger, inbox.env)).status).toBe('unchanged')
    expect(state.writeCount).toBe(writes)

    const body = new TextEncoder().encode('{"a":1}')
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/red flower.json', Body: body }))
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/skipped.txt', Body: body }))
    await emulator.idle()
    expect(inbox.deliveries().map((delivery) => delivery.received)).toEqual([
      {
        bucket,
        key: 'in/red flower.json',
        size: body.byteLength,
        etag: createHash('md5').update(body).digest('hex'),
        eventTime: expect.stringMatching(/Z$/),
        type: 'created',
      },
    ])
    inbox.close()
    // It holds objects: kept.
    await cloud.remove(name)
    expect(state.buckets.has(bucket)).toBe(true)
    const again = unique('reader')
    await deployOn(again, storage({ bucket }))
    state.buckets.get(bucket)?.objects.clear()
    await cloud.remove(again)
    expect(state.buckets.has(bucket)).toBe(false)
  })

  it('joins an existing bucket without dropping the entries of others, and leaves it and them when it goes', async () => {
    const bucket = unique('theirs')
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    const sqs = new SQSClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-q` }))
    const queueArn = `arn:aws:sqs:${region}:${state.options.accountId}:${bucket}-q`
    const QueueConfigurations = [
      {
        Id: 'their-queue',
        QueueArn: queueArn,
        Events: ['s3:ObjectCreated:*' as const],
        Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'logs/' }] } },
      },
    ]
    await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { QueueConfigurations } }),
    )
    const [first, second] = [unique('a'), unique('b')]
    await deployOn(first, storage({ bucket, prefix: 'images/' }))
    await deployOn(second, storage({ bucket, events: ['deleted'] }))
    expect(await entries(bucket)).toEqual([
      [`cloudfn-${first}`, state.functionArn(first), ['s3:ObjectCreated:*'], ['Prefix=images/']],
      [`cloudfn-${second}`, state.functionArn(second), ['s3:ObjectRemoved:*'], undefined],
    ])
    // A changed filter on the same bucket replaces the function's own entry, in place of adding one.
    await deployOn(first, storage({ bucket, prefix: 'photos/' }))
    expect((await entries(bucket)).map(([id, , , rules]) => [id, rules])).toEqual([
      [`cloudfn-${second}`, undefined],
      [`cloudfn-${first}`, ['Prefix=photos/']],
    ])
    await cloud.remove(first)
    await cloud.remove(second)
    expect(state.buckets.get(bucket)?.notifications.map((entry) => entry.id)).toEqual(['their-queue'])
    expect(state.buckets.has(bucket)).toBe(true)
  })

  it('refuses, before anything is created, filters S3 would refuse as overlapping and a bucket name S3 reserves', async () => {
    const bucket = unique('shared')
    const first = unique('first')
    await deployOn(first, storage({ bucket, prefix: 'in/' }))
    const name = unique('clash')
    const writes = state.writeCount
    const error = await caughtError(deployOn(name, storage({ bucket, suffix: '.json' })))
    expect([error.code, (error as { field?: string }).field, error.message]).toEqual([
      'InvalidArgument',
      'trigger',
      expect.stringContaining(`overlaps the notification 'cloudfn-${first}' of S3 bucket '${bucket}'`),
    ])
    expect(state.writeCount).toBe(writes)
    expect(state.functions.has(name)).toBe(false)
    // Another event type, or prefixes that keep them apart, are fine.
    await deployOn(name, storage({ bucket, events: ['deleted'], suffix: '.json' }))
    await cloud.remove(name)
    await cloud.remove(first)

    // The trigger is recorded in the function's 256-character description: a prefix that does not fit is refused up front.
    const long = await caughtError(deployOn(unique('long'), storage({ bucket, prefix: 'p/'.repeat(100) })))
    expect([long.code, (long as { field?: string }).field]).toEqual(['InvalidArgument', 'trigger'])
    // Bucket names are global: one another account owns answers 403, and is refused before the function exists.
    const taken = unique('taken')
    state.buckets.set(taken, newBucket(taken, '999999999999'))
    const elsewhere = unique('elsewhere')
    const foreign = await caughtError(deployOn(elsewhere, storage({ bucket: taken })))
    expect([foreign.code, (foreign as { field?: string }).field, foreign.message]).toEqual([
      'InvalidArgument',
      'trigger.bucket',
      expect.stringContaining('another AWS account owns it'),
    ])
    expect(state.functions.has(elsewhere)).toBe(false)
    const reserved = await caughtError(deployOn(unique('demo'), storage({ bucket: 'amzn-s3-demo-bucket' })))
    expect([reserved.code, (reserved as { field?: string }).field]).toEqual(['InvalidArgument', 'trigger.bucket'])
    expect(state.buckets.has('amzn-s3-demo-bucket')).toBe(false)
  })

  it('drops a cloudfn entry whose function was deleted outside cloudfn (S3 would refuse every write), and keeps the rest', async () => {
    const bucket = unique('stale')
    const [gone, next] = [unique('gone'), unique('next')]
    await deployOn(gone, storage({ bucket, prefix: 'a/' }))
    // Deleted out of band: its entry stays, and S3 refuses any configuration naming a function it cannot validate.
    state.functions.delete(gone)
    await deployOn(next, storage({ bucket, prefix: 'b/' }))
    expect((await entries(bucket)).map(([id]) => id)).toEqual([`cloudfn-${next}`])
    await cloud.remove(next)
    expect(state.buckets.has(bucket)).toBe(false)
  })

  it('moving to another bucket leaves the first (deleted when cloudfn made it and it is empty); the plan says so first', async () => {
    const [from, to] = [unique('from'), unique('to')]
    const name = unique('mover')
    const first = await cloud.plan(withOverrides(storageRecorder, { trigger: storage({ bucket: from }) }), { name })
    expect(first.changes.filter((c) => c.resource.startsWith('bucket:')).map((c) => `${c.kind} ${c.resource}`)).toEqual([
      `create-bucket bucket:${from}`,
      `update-storage-link bucket:${from}`,
    ])
    await deployOn(name, storage({ bucket: from }))
    const move = withOverrides(storageRecorder, { trigger: storage({ bucket: to }) })
    const writes = state.writeCount
    const planned = await cloud.plan(move, { name })
    expect(state.writeCount, 'a plan sent a write').toBe(writes)
    expect(planned.changes.filter((c) => c.resource.startsWith('bucket:')).map((c) => `${c.kind} ${c.resource}`)).toEqual([
      `create-bucket bucket:${to}`,
      `update-storage-link bucket:${to}`,
      `update-storage-link bucket:${from}`,
      `delete-bucket bucket:${from}`,
    ])
    await cloud.deploy(move, { name })
    expect(state.buckets.has(from)).toBe(false)
    expect((await entries(to)).map(([id]) => id)).toEqual([`cloudfn-${name}`])
    await cloud.remove(name)
  })

  it('EventBridge delivery on a bucket cloudfn made survives its read-modify-write and keeps the bucket on remove, in a move’s plan and in gc', async () => {
    const [bucket, elsewhere] = uniques('bridged', 'bridged-to')
    const name = unique('bridged-fn')
    await deployOn(name, storage({ bucket, prefix: 'a/' }))
    const read = async () => {
      const { $metadata: _, ...configuration } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
      return configuration
    }
    // The bucket's user turns on EventBridge (S3 then sends every event of the bucket there).
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { ...(await read()), EventBridgeConfiguration: {} },
      }),
    )
    await deployOn(name, storage({ bucket, prefix: 'b/' }))
    expect([(await entries(bucket)).map(([id, , , rules]) => [id, rules]), (await read()).EventBridgeConfiguration]).toEqual([
      [[`cloudfn-${name}`, ['Prefix=b/']]],
      {},
    ])
    const move = await cloud.plan(withOverrides(storageRecorder, { trigger: storage({ bucket: elsewhere }) }), { name })
    expect(move.changes.filter((c) => c.resource === `bucket:${bucket}`).map((c) => c.kind)).toEqual(['update-storage-link'])
    await cloud.remove(name)
    expect([state.buckets.has(bucket), await read()]).toEqual([true, { EventBridgeConfiguration: {} }])
    const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
    expect([...result.removed, ...result.kept].filter((resource) => resource.includes(bucket))).toEqual([])
    expect([state.buckets.has(bucket), await read()]).toEqual([true, { EventBridgeConfiguration: {} }])
  })

  it('gc takes off the entries of subscribers gone another way and their empty cloudfn bucket; every other entry, a bucket holding objects and one cloudfn did not make stay as they were', async () => {
    const [full, lone, own, plain, shared] = uniques('gc-full', 'gc-lone', 'gc-own', 'gc-plain', 'gc-shared')
    const [ghost, live, loner, filler, leaver] = uniques('ghost', 'live', 'loner', 'filler', 'leaver')
    // Still cloudfn's: gc removes it with olderThanMs 0, and its bucket with it.
    await deployOn(leaver, storage({ bucket: own }))
    await deployOn(filler, storage({ bucket: full }))
    await s3.send(new PutObjectCommand({ Bucket: full, Key: 'kept.txt', Body: 'x' }))
    await deployOn(loner, storage({ bucket: lone }))
    // Someone else's bucket: no cloudfn tag, empty, nothing on it.
    await s3.send(new CreateBucketCommand({ Bucket: plain }))
    await deployOn(ghost, storage({ bucket: shared, prefix: 'a/' }))
    await deployOn(live, storage({ bucket: shared, prefix: 'b/' }))
    // The bucket's user adds a queue entry of their own beside cloudfn's.
    const sqs = new SQSClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    await sqs.send(new CreateQueueCommand({ QueueName: `${shared}-q` }))
    const theirs = {
      Id: 'their-queue',
      QueueArn: `arn:aws:sqs:${region}:${state.options.accountId}:${shared}-q`,
      Events: ['s3:ObjectCreated:*' as const],
      Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'logs/' }] } },
    }
    const { $metadata: _, ...before } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: shared }))
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: shared,
        NotificationConfiguration: { ...before, QueueConfigurations: [theirs] },
      }),
    )
    const notifications = async (bucket: string) => {
      const { $metadata: _, ...configuration } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
      return configuration
    }
    const sharedBefore = await notifications(shared)
    // Gone another way (deleted in the console, removes that stopped after DeleteFunction): their entries stay behind.
    for (const name of [ghost, loner, filler]) state.functions.delete(name)
    // Still live, and no longer cloudfn's to collect (its owner rewrote the description).
    const lambda = new LambdaClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: live, Description: 'taken over by its owner' }))
    const ours = (resources: string[]) =>
      resources
        .filter((resource) =>
          [full, lone, own, plain, shared].includes(/^(?:notification|bucket):([^/]+)/.exec(resource)?.[1] ?? ''),
        )
        .sort()
    const gone = [
      `bucket:${lone}`,
      `bucket:${own}`,
      `notification:${full}/cloudfn-${filler}`,
      `notification:${lone}/cloudfn-${loner}`,
      `notification:${shared}/cloudfn-${ghost}`,
    ]

    const writes = state.writeCount
    // S3 keeps no change time for the entries: only olderThanMs 0 takes them, and while they stay their buckets are in use.
    // A day: nothing this test made is that old, however slow the machine.
    const young = await cloud.gc({ olderThanMs: 86_400_000, dryRun: false })
    expect([ours(young.removed), ours(young.kept)]).toEqual([[], gone.filter((resource) => resource.startsWith('notification:'))])
    const planned = await cloud.gc({ olderThanMs: 0, dryRun: true })
    expect(ours(planned.removed)).toEqual(gone)
    expect(state.writeCount, 'a dry run or a gc of nothing old enough wrote').toBe(writes)

    const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
    expect(result.removed).toEqual(planned.removed)
    expect(ours(result.kept)).toEqual([`bucket:${full}`])
    expect(await notifications(shared)).toEqual({
      ...sharedBefore,
      LambdaFunctionConfigurations: sharedBefore.LambdaFunctionConfigurations?.filter((entry) => entry.Id !== `cloudfn-${ghost}`),
    })
    expect(sharedBefore.LambdaFunctionConfigurations?.map((entry) => entry.Id)).toEqual([`cloudfn-${ghost}`, `cloudfn-${live}`])
    expect(sharedBefore.QueueConfigurations).toEqual([
      { ...theirs, Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'logs/' }] } } },
    ])
    expect(await notifications(full)).toEqual({})
    expect([...(state.buckets.get(full)?.objects.keys() ?? [])]).toEqual(['kept.txt'])
    expect(result.removed).toContain(`function:${leaver}`)
    expect([lone, own, plain, shared].map((bucket) => state.buckets.has(bucket))).toEqual([false, false, true, true])
    expect(state.buckets.get(plain)?.tags).toBeUndefined()
    await cloud.remove(live)
  })

  it('gc keeps what changed between its look and its removal (an object or a subscriber arrived, the function came back), and a bucket gone meanwhile is no error', async () => {
    const [filled, joined, vanished, revived] = uniques('gc-filled', 'gc-joined', 'gc-vanished', 'gc-revived')
    const names = [filled, joined, vanished, revived].map((bucket) => `${bucket}-fn`)
    for (const [index, bucket] of [filled, joined, vanished, revived].entries())
      await deployOn(names[index] ?? '', storage({ bucket }))
    const back = state.functions.get(`${revived}-fn`)
    for (const name of names) state.functions.delete(name)
    const sqs = new SQSClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    await sqs.send(new CreateQueueCommand({ QueueName: `${joined}-q` }))
    const queueArn = `arn:aws:sqs:${region}:${state.options.accountId}:${joined}-q`
    // What happens to each bucket right after gc found it empty (its ListObjectsV2), before gc removes anything.
    const meanwhile: Record<string, () => void> = {
      [filled]: () =>
        state.buckets
          .get(filled)
          ?.objects.set('late.txt', { bytes: new Uint8Array(1), etag: 'e', lastModified: new Date().toISOString() }),
      [joined]: () =>
        state.buckets.get(joined)?.notifications.push({
          kind: 'QueueConfiguration',
          id: 'joined-later',
          arn: queueArn,
          events: ['s3:ObjectCreated:*'],
          prefix: undefined,
          suffix: undefined,
        }),
      [vanished]: () => state.buckets.delete(vanished),
      [revived]: () => back && state.functions.set(back.name, back),
    }
    // The provider's S3 client is this package's S3Client (loaded lazily): its calls pass here.
    type Send = (this: S3Client, command: { input: { Bucket?: string } }) => Promise<unknown>
    const send = S3Client.prototype.send as unknown as Send
    const watched: Send = async function (command) {
      const answer = await send.call(this, command)
      if (command instanceof ListObjectsV2Command) meanwhile[command.input.Bucket ?? '']?.()
      return answer
    }
    const spy = vi.spyOn(S3Client.prototype, 'send').mockImplementation(watched as unknown as S3Client['send'])
    try {
      const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
      const entry = (bucket: string) => `notification:${bucket}/cloudfn-${bucket}-fn`
      const mine = (resources: string[]) =>
        resources.filter((resource) => [filled, joined, vanished, revived].some((bucket) => resource.includes(bucket))).sort()
      // What changed since gc looked is reported kept; what went meanwhile is gone all the same.
      expect([mine(result.removed), mine(result.kept)]).toEqual([
        [`bucket:${vanished}`, entry(filled), entry(joined), entry(vanished)].sort(),
        [`bucket:${filled}`, `bucket:${joined}`, `bucket:${revived}`, entry(revived)].sort(),
      ])
    } finally {
      spy.mockRestore()
    }
    expect([filled, joined, vanished, revived].map((bucket) => state.buckets.has(bucket))).toEqual([true, true, false, true])
    expect([...(state.buckets.get(filled)?.objects.keys() ?? [])]).toEqual(['late.txt'])
    expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: joined }))).QueueConfigurations).toEqual([
      { Id: 'joined-later', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] },
    ])
    expect(await entries(revived)).toEqual([
      [`cloudfn-${revived}-fn`, state.functionArn(`${revived}-fn`), ['s3:ObjectCreated:*'], undefined],
    ])
    await cloud.remove(`${revived}-fn`)
  })

  it('gc judges only entries that are cloudfn’s: another account’s or region’s function, an Id naming another function than its ARN, or a refused lookup keep the entry', async () => {
    const [bucket] = uniques('gc-foreign')
    const [x, y, z] = uniques('x', 'y', 'z')
    await deployOn(y, storage({ bucket, prefix: 'y/' }))
    // y lives on and is no longer cloudfn's to collect (its owner rewrote the description).
    const lambda = new LambdaClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: y, Description: 'taken over by its owner' }))
    const { accountId } = state.options
    const other = accountId === '210987654321' ? '123456789012' : '210987654321'
    // Written straight into the emulator's state: S3 would refuse to validate the other account's and region's functions.
    const add = (id: string, arn: string, prefix: string) =>
      state.buckets.get(bucket)?.notifications.push({
        kind: 'CloudFunctionConfiguration',
        id,
        arn,
        events: ['s3:ObjectCreated:*'],
        prefix,
        suffix: undefined,
      })
    add(`cloudfn-${x}`, `arn:aws:lambda:${region}:${other}:function:${x}`, 'a/')
    add(`cloudfn-${x}-east`, `arn:aws:lambda:us-east-1:${accountId}:function:${x}-east`, 'b/')
    add(`cloudfn-${x}-named`, state.functionArn(y), 'c/')
    add(`cloudfn-${z}`, state.functionArn(z), 'd/')
    const before = await entries(bucket)
    // Lambda refuses to say whether z exists: not gc's to judge.
    emulator.faults.inject({
      on: 'GetFunctionConfiguration',
      functionName: z,
      kind: 'server-error',
      status: 403,
      code: 'AccessDeniedException',
      message: 'not authorized',
      times: 2,
    })
    const planned = await cloud.gc({ olderThanMs: 0, dryRun: true })
    const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
    const mine = (resources: string[]) => resources.filter((resource) => resource.includes(bucket))
    expect([mine(planned.removed), mine(result.removed), await entries(bucket)]).toEqual([[], [], before])
    expect(emulator.faults.pending).toEqual([])
    const bucketState = state.buckets.get(bucket)
    if (bucketState) bucketState.notifications = []
    await cloud.remove(y)
  })

  it('a queue of the bucket’s user deleted meanwhile blocks neither gc nor remove from taking cloudfn’s entries out', async () => {
    const [bucket] = uniques('gc-broken')
    const [ghost, keeper] = uniques('ghost', 'keeper')
    await deployOn(ghost, storage({ bucket, prefix: 'a/' }))
    await deployOn(keeper, storage({ bucket, prefix: 'b/' }))
    const sqs = new SQSClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-q` }))
    const theirs = {
      Id: 'their-queue',
      QueueArn: `arn:aws:sqs:${region}:${state.options.accountId}:${bucket}-q`,
      Events: ['s3:ObjectCreated:*' as const],
      Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'logs/' }] } },
    }
    // As S3 gives it back: the rule name capitalised.
    const read = { ...theirs, Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'logs/' }] } } }
    const { $metadata: _, ...before } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { ...before, QueueConfigurations: [theirs] },
      }),
    )
    // S3 now refuses any configuration naming the queue unless told to skip checking destinations.
    await sqs.send(new DeleteQueueCommand({ QueueUrl }))
    state.functions.delete(ghost)
    const lambda = new LambdaClient({ region, credentials: FAKE_CREDENTIALS, maxAttempts: 1 })
    // Out of gc's reach for this run (not cloudfn's by its description), then cloudfn's again for the remove.
    const { Description } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: keeper }))
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: keeper, Description: 'taken over by its owner' }))
    const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
    expect(result.removed.filter((resource) => resource.includes(bucket))).toEqual([`notification:${bucket}/cloudfn-${ghost}`])
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: keeper, Description }))
    const queues = async () =>
      (await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }))).QueueConfigurations
    expect([(await entries(bucket)).map(([id]) => id), await queues()]).toEqual([[`cloudfn-${keeper}`], [read]])
    await cloud.remove(keeper)
    expect([await entries(bucket), await queues()]).toEqual([[], [read]])
  })

  it('gc reports kept an entry whose removal S3 refuses (AccessDenied, InvalidArgument), and the rest of gc goes on', async () => {
    const [denied, invalid, fine] = uniques('gc-denied', 'gc-invalid', 'gc-fine')
    const [deniedFn, invalidFn, fineFn, plainFn] = uniques('denied-fn', 'invalid-fn', 'fine-fn', 'plain-fn')
    for (const [name, bucket] of [
      [deniedFn, denied],
      [invalidFn, invalid],
      [fineFn, fine],
    ] as const)
      await deployOn(name, storage({ bucket }))
    for (const name of [deniedFn, invalidFn, fineFn]) state.functions.delete(name)
    await deployOn(plainFn, storage({ bucket: unique('gc-plain') }))
    const refuse = (bucket: string, status: number, code: string) =>
      emulator.faults.inject({
        on: 'PutBucketNotificationConfiguration',
        match: new RegExp(`^PUT /${bucket}$`),
        kind: 'server-error',
        status,
        code,
        message: 'refused',
      })
    refuse(denied, 403, 'AccessDenied')
    refuse(invalid, 400, 'InvalidArgument')
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
    const warnings = warn.mock.calls.filter(([, type]) => (type as unknown) === 'CloudfnAwsWarning').map(([message]) => message)
    warn.mockRestore()
    const mine = (resources: string[]) =>
      resources.filter((resource) => [denied, invalid, fine].some((bucket) => resource.includes(bucket))).sort()
    expect([mine(result.removed), mine(result.kept)]).toEqual([
      [`bucket:${fine}`, `notification:${fine}/cloudfn-${fineFn}`],
      [
        `bucket:${denied}`,
        `bucket:${invalid}`,
        `notification:${denied}/cloudfn-${deniedFn}`,
        `notification:${invalid}/cloudfn-${invalidFn}`,
      ],
    ])
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^gc kept notification:${denied}/cloudfn-${deniedFn}: S3 refused its removal \\(AccessDenied`),
      ),
      expect.stringMatching(
        new RegExp(`^gc kept notification:${invalid}/cloudfn-${invalidFn}: S3 refused its removal \\(InvalidArgument`),
      ),
    ])
    expect(result.removed).toContain(`function:${plainFn}`)
    expect([state.functions.has(plainFn), state.buckets.has(fine)]).toEqual([false, false])
    expect([(await entries(denied)).map(([id]) => id), (await entries(invalid)).map(([id]) => id)]).toEqual([
      [`cloudfn-${deniedFn}`],
      [`cloudfn-${invalidFn}`],
    ])
    expect(emulator.faults.pending).toEqual([])
    // Once S3 takes the writes, a later gc takes them off (a function of the region there again names the account).
    await deployOn(unique('plain-fn'), storage({ bucket: unique('gc-plain') }))
    const again = await cloud.gc({ olderThanMs: 0, dryRun: false })
    expect(mine(again.removed)).toEqual([
      `bucket:${denied}`,
      `bucket:${invalid}`,
      `notification:${denied}/cloudfn-${deniedFn}`,
      `notification:${invalid}/cloudfn-${invalidFn}`,
    ])
  })

  it('gc leaves alone a bucket these credentials may not read, and S3 altogether without s3:ListAllMyBuckets; the rest of gc goes on', async () => {
    const [locked, open] = uniques('gc-locked', 'gc-open')
    const [lockedFn, openFn, plainFn] = uniques('locked-fn', 'open-fn', 'plain-fn')
    await deployOn(lockedFn, storage({ bucket: locked }))
    await deployOn(openFn, storage({ bucket: open }))
    for (const name of [lockedFn, openFn]) state.functions.delete(name)
    const denied = { kind: 'server-error', status: 403, code: 'AccessDenied', message: 'Access Denied' } as const
    // Aimed at the bucket (the emulator's S3 faults match `METHOD /<bucket>`), whatever order gc reads the buckets in.
    emulator.faults.inject({ on: 'GetBucketNotificationConfiguration', match: new RegExp(`^GET /${locked}$`), ...denied })
    const result = await cloud.gc({ olderThanMs: 0, dryRun: false })
    expect(result.removed.filter((resource) => [open, locked].some((bucket) => resource.includes(bucket)))).toEqual([
      `notification:${open}/cloudfn-${openFn}`,
      `bucket:${open}`,
    ])
    expect([state.buckets.has(open), (await entries(locked)).map(([id]) => id)]).toEqual([false, [`cloudfn-${lockedFn}`]])

    await deployOn(plainFn, storage({ bucket: unique('gc-plain') }))
    emulator.faults.inject({ on: 'ListBuckets', ...denied })
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    // mockRestore clears the calls: read them first.
    const without = await cloud.gc({ olderThanMs: 0, dryRun: false })
    const warnings = warn.mock.calls.filter(([, type]) => (type as unknown) === 'CloudfnAwsWarning').map(([message]) => message)
    warn.mockRestore()
    // Said, not silent: what was not looked for, and the permission that lets gc look.
    expect(warnings).toEqual([
      expect.stringMatching(/gc left S3 alone: listing the account's buckets was refused.*s3:ListAllMyBuckets/),
    ])
    // The function went, and the roles it leaves unused; nothing of S3 was looked at.
    expect(without.removed.filter((resource) => !resource.startsWith('role:'))).toEqual([`function:${plainFn}`])
    expect((await entries(locked)).map(([id]) => id)).toEqual([`cloudfn-${lockedFn}`])
    expect(emulator.faults.pending).toEqual([])
  })

  it('reads the function off a cloudfn- entry Id, and none off anyone else’s or a bare cloudfn-', () => {
    expect([undefined, 'their-queue', 'cloudfn-', 'cloudfn-a', 'cloudfn-cloudfn-'].map(functionOfEntry)).toEqual([
      undefined,
      undefined,
      undefined,
      'a',
      'cloudfn-',
    ])
  })

  it('records the trigger in the description and reads it back, any prefix character included', () => {
    const trigger = storage({ bucket: 'b-1', events: ['deleted'], prefix: 'a;b/ c%', suffix: '.x' })
    expect(decodeTrigger(encodeTrigger(trigger))).toEqual(trigger)
    expect(decodeTrigger(encodeTrigger(storage({ bucket: 'b-1' })))).toEqual(storage({ bucket: 'b-1' }))
  })

  it("turns the emulator's S3 records into the neutral event, the key decoded", () => {
    const bucket = { ...newBucket('b'), sequence: 1 }
    const object = { bytes: new Uint8Array(3), etag: 'abc', lastModified: '' }
    const change = { bucket, key: 'a b+ü/c.txt', requestId: 'r', time: '2026-01-01T00:00:00.000Z' }
    const created = JSON.parse(s3Event(region, '1', { ...change, eventName: 'ObjectCreated:Put', object }, 'id'))
    const removed = JSON.parse(s3Event(region, '1', { ...change, eventName: 'ObjectRemoved:Delete', object: undefined }, 'id'))
    expect([storageEventOfS3(created.Records[0]), storageEventOfS3(removed.Records[0])]).toEqual([
      { bucket: 'b', key: 'a b+ü/c.txt', size: 3, etag: 'abc', eventTime: change.time, type: 'created' },
      { bucket: 'b', key: 'a b+ü/c.txt', size: 0, etag: '', eventTime: change.time, type: 'deleted' },
    ])
  })

  it('the shim hands the handler the neutral event and throws when it fails, so Lambda retries the S3 event', async () => {
    const bucket = { ...newBucket('b'), sequence: 1 }
    const object = { bytes: new Uint8Array(2), etag: 'e', lastModified: '' }
    const change = {
      bucket,
      key: 'x y.txt',
      requestId: 'r',
      time: '2026-01-01T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      object,
    }
    const event = JSON.parse(s3Event(region, '1', change, 'id'))
    const seen: unknown[] = []
    const handler = createEntry({
      name: 'reader',
      trigger: storage({ bucket: 'bkt' }),
      handler: ((received: { key: string }) => {
        seen.push(received)
        if (received.key.startsWith('x')) throw new Error('cannot read it')
        return null
      }) as never,
    })
    const context = { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 5000 }
    await expect(handler(event, context)).rejects.toThrow('cannot read it')
    expect(seen).toEqual([{ bucket: 'b', key: 'x y.txt', size: 2, etag: 'e', eventTime: change.time, type: 'created' }])
  })
})
