import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda'
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { describe, expect, it } from 'vitest'
import { emulatorForFile, sdkError as failure } from '../__fixtures__/emulator.ts'
import { loggedEvents, loggingHandlerZip } from '../__fixtures__/sdk-testing.ts'
import { newBucket } from './s3-model.ts'

const region = 'eu-west-1'
// Functions go Active on their first use (no state delay); failed asynchronous events are retried at once.
const { emulator, clientConfig: config } = emulatorForFile({
  region,
  stateDelayMs: 0,
  updateDelayMs: 0,
  roleDelayMs: 0,
  asyncRetryDelayMs: 1,
})
const s3 = new S3Client(config)
const pathStyle = new S3Client({ ...config, forcePathStyle: true })
const lambda = new LambdaClient(config)
const account = '123456789012'
const where = { CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } } as const

const RECORDER = loggingHandlerZip()

/** A function that logs its events; `permitted` is the bucket its policy lets S3 invoke it for (undefined: none). */
async function recorder(name: string, permitted: string | undefined): Promise<string> {
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: `arn:aws:iam::${account}:role/test`,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Code: { ZipFile: RECORDER },
    }),
  )
  if (permitted !== undefined) {
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: `arn:aws:s3:::${permitted}`,
        SourceAccount: account,
      }),
    )
  }
  return fn.FunctionArn ?? ''
}

const eventsOf = (name: string) => loggedEvents<{ Records: unknown[] }>(emulator, name)

describe('emulated S3 (REST XML, through @aws-sdk/client-s3)', () => {
  it('creates, finds, lists and deletes buckets, virtual-hosted and path-style, refusing what S3 refuses', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'photos', ...where }))
    await pathStyle.send(new HeadBucketCommand({ Bucket: 'photos' }))
    const again = await failure(s3.send(new CreateBucketCommand({ Bucket: 'photos', ...where })))
    expect([again.name, again.message, again.$metadata]).toEqual([
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      expect.objectContaining({ httpStatusCode: 409 }),
    ])
    // The SDK fills in the client's region as the constraint; another region's is refused.
    const elsewhere = { CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } } as const
    const nowhere = await failure(s3.send(new CreateBucketCommand({ Bucket: 'elsewhere', ...elsewhere })))
    expect([nowhere.name, nowhere.message]).toEqual([
      'IllegalLocationConstraintException',
      'The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.',
    ])
    for (const bad of ['Photos', 'a..b', 'xn--abc', 'amzn-s3-demo-x', 'ab', '192.168.5.4', 'bucket-s3alias']) {
      const refused = await failure(pathStyle.send(new CreateBucketCommand({ Bucket: bad, ...where })))
      expect([bad, refused.name, refused.message]).toEqual([bad, 'InvalidBucketName', 'The specified bucket is not valid.'])
    }
    // Names are global: another account's bucket is 403 to this one, and cannot be created again.
    const taken = newBucket('taken', '999999999999')
    emulator.state.buckets.set('taken', taken)
    const theirs = await failure(s3.send(new CreateBucketCommand({ Bucket: 'taken', ...where })))
    expect([theirs.name, theirs.$metadata]).toEqual(['BucketAlreadyExists', expect.objectContaining({ httpStatusCode: 409 })])
    const denied = await failure(s3.send(new HeadBucketCommand({ Bucket: 'taken' })))
    expect(denied.$metadata).toEqual(expect.objectContaining({ httpStatusCode: 403 }))
    const listed = await s3.send(new ListBucketsCommand({}))
    expect(listed.Buckets?.map((bucket) => bucket.Name)).not.toContain('taken')
    expect(listed.Buckets?.map((bucket) => [bucket.Name, bucket.BucketRegion])).toContainEqual(['photos', region])

    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a.txt', Body: 'x' }))
    const full = await failure(pathStyle.send(new DeleteBucketCommand({ Bucket: 'photos' })))
    expect([full.name, full.message, full.BucketName]).toEqual([
      'BucketNotEmpty',
      'The bucket you tried to delete is not empty',
      'photos',
    ])
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'a.txt' }))
    await s3.send(new DeleteBucketCommand({ Bucket: 'photos' }))
    // HEAD answers carry no body: the SDK names the error by its status.
    const gone = await failure(s3.send(new HeadBucketCommand({ Bucket: 'photos' })))
    expect([gone.name, gone.$metadata]).toEqual(['NotFound', expect.objectContaining({ httpStatusCode: 404 })])
    const missing = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'photos' })))
    expect([missing.name, missing.message, missing.BucketName]).toEqual([
      'NoSuchBucket',
      'The specified bucket does not exist',
      'photos',
    ])
  })

  it('lists buckets by name in pages of max-buckets, narrowed by prefix and bucket-region (API_ListBuckets.html)', async () => {
    for (const bucket of ['pages-c', 'pages-a', 'pages-b']) await s3.send(new CreateBucketCommand({ Bucket: bucket, ...where }))
    const pages: string[][] = []
    let token: string | undefined
    do {
      const page = await s3.send(
        new ListBucketsCommand({ Prefix: 'pages-', BucketRegion: region, MaxBuckets: 2, ContinuationToken: token }),
      )
      pages.push((page.Buckets ?? []).map((bucket) => `${bucket.Name}@${bucket.BucketRegion}`))
      expect(page.Prefix).toBe('pages-')
      token = page.ContinuationToken
    } while (token)
    expect(pages).toEqual([[`pages-a@${region}`, `pages-b@${region}`], [`pages-c@${region}`]])
    const elsewhere = await s3.send(new ListBucketsCommand({ Prefix: 'pages-', BucketRegion: 'us-east-2' }))
    expect([elsewhere.Buckets ?? [], elsewhere.ContinuationToken]).toEqual([[], undefined])
    for (const bucket of ['pages-a', 'pages-b', 'pages-c']) await s3.send(new DeleteBucketCommand({ Bucket: bucket }))
  })

  it('stores objects with the MD5 ETag, lists them by prefix in pages, and keeps bucket tags', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'store', ...where }))
    const put = await s3.send(new PutObjectCommand({ Bucket: 'store', Key: 'in/a b+ü.json', Body: 'hello' }))
    expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"')
    await s3.send(new PutObjectCommand({ Bucket: 'store', Key: 'in/b.json', Body: new Uint8Array([1, 2, 3]) }))
    await s3.send(new PutObjectCommand({ Bucket: 'store', Key: 'out/c.json', Body: new Uint8Array(0) }))
    const got = await s3.send(new GetObjectCommand({ Bucket: 'store', Key: 'in/a b+ü.json' }))
    expect(await got.Body?.transformToString()).toBe('hello')
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'store', Prefix: 'in/', MaxKeys: 1 }))
    expect([first.KeyCount, first.IsTruncated, first.Contents?.map((o) => [o.Key, o.Size, o.ETag])]).toEqual([
      1,
      true,
      [['in/a b+ü.json', 5, '"5d41402abc4b2a76b9719d911017c592"']],
    ])
    const second = await s3.send(
      new ListObjectsV2Command({ Bucket: 'store', Prefix: 'in/', ContinuationToken: first.NextContinuationToken }),
    )
    expect([second.IsTruncated, second.Contents?.map((o) => o.Key)]).toEqual([false, ['in/b.json']])

    const untagged = await failure(s3.send(new GetBucketTaggingCommand({ Bucket: 'store' })))
    expect([untagged.name, untagged.message]).toEqual(['NoSuchTagSet', 'The TagSet does not exist'])
    const TagSet = [{ Key: 'cloudfn:managed', Value: 'true' }]
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'store', Tagging: { TagSet } }))
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'store' }))).TagSet).toEqual(TagSet)
  })

  it('accepts Lambda destinations only with S3 permission for the bucket, and refuses overlapping configurations', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'guarded', ...where }))
    const allowed = await recorder('s3-allowed', 'guarded')
    const unpermitted = await recorder('s3-unpermitted', 'another-bucket')
    const entry = (Id: string, arn: string, Events: string[], prefix?: string, suffix?: string) => ({
      Id,
      LambdaFunctionArn: arn,
      Events: Events as never[],
      Filter: {
        Key: {
          FilterRules: [
            ...(prefix === undefined ? [] : [{ Name: 'prefix' as const, Value: prefix }]),
            ...(suffix === undefined ? [] : [{ Name: 'suffix' as const, Value: suffix }]),
          ],
        },
      },
    })
    const put = (configurations: ReturnType<typeof entry>[]) =>
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'guarded',
          NotificationConfiguration: { LambdaFunctionConfigurations: configurations },
        }),
      )
    const refused = await failure(put([entry('x', unpermitted, ['s3:ObjectCreated:*'])]))
    expect([refused.name, refused.message, refused.ArgumentName1, refused.ArgumentValue1]).toEqual([
      'InvalidArgument',
      'Unable to validate the following destination configurations',
      `${unpermitted}, null`,
      `Not authorized to invoke function [${unpermitted}]`,
    ])
    const noQueue = `arn:aws:sqs:${region}:${account}:no-such-queue`
    const queueless = await failure(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'guarded',
          NotificationConfiguration: { QueueConfigurations: [{ QueueArn: noQueue, Events: ['s3:ObjectCreated:*'] }] },
        }),
      ),
    )
    expect([queueless.ArgumentName1, queueless.ArgumentValue1]).toEqual([noQueue, 'The destination queue does not exist'])
    // SkipDestinationValidation (API_PutBucketNotificationConfiguration.html) takes destinations unchecked; overlap is still refused.
    const unchecked = { QueueConfigurations: [{ Id: 'q', QueueArn: noQueue, Events: ['s3:ObjectCreated:*' as const] }] }
    const skipping = (NotificationConfiguration: typeof unchecked) =>
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'guarded',
          NotificationConfiguration,
          SkipDestinationValidation: true,
        }),
      )
    const doubled = await failure(
      skipping({
        QueueConfigurations: [...unchecked.QueueConfigurations, { ...unchecked.QueueConfigurations[0], Id: 'r' }] as never,
      }),
    )
    expect([doubled.name, doubled.message]).toEqual([
      'InvalidArgument',
      'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
    ])
    await skipping(unchecked)
    expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'guarded' }))).QueueConfigurations).toEqual(
      unchecked.QueueConfigurations,
    )
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'guarded', NotificationConfiguration: {} }))
    // EventBridgeConfiguration (API_NotificationConfiguration.html): an empty element, kept and given back until a write leaves it out.
    const bridged = { ...unchecked, EventBridgeConfiguration: {} }
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'guarded',
        NotificationConfiguration: bridged,
        SkipDestinationValidation: true,
      }),
    )
    const { $metadata: _, ...withBridge } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'guarded' }))
    expect(withBridge).toEqual(bridged)
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'guarded', NotificationConfiguration: {} }))
    const { $metadata: __, ...without } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'guarded' }))
    expect(without).toEqual({})
    const unparsable = await failure(put([entry('x', 'not-an-arn', ['s3:ObjectCreated:*'])]))
    expect([unparsable.name, unparsable.message, unparsable.ArgumentName, unparsable.ArgumentValue]).toEqual([
      'InvalidArgument',
      'The ARN could not be parsed',
      'CloudFunction',
      'not-an-arn',
    ])
    const long = await failure(put([entry('x', allowed, ['s3:ObjectCreated:*'], 'p'.repeat(1025))]))
    expect(long.message).toBe('Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation')
    const overlapping = [
      // A wildcard shares every event of its family; an absent prefix meets every prefix.
      [entry('a', allowed, ['s3:ObjectCreated:*'], 'in/'), entry('b', allowed, ['s3:ObjectCreated:Put'], undefined, '.json')],
      [entry('a', allowed, ['s3:ObjectCreated:*'], 'images'), entry('b', allowed, ['s3:ObjectCreated:*'], 'images/')],
      [
        entry('a', allowed, ['s3:ObjectRemoved:*'], undefined, 'jpg'),
        entry('b', allowed, ['s3:ObjectRemoved:*'], undefined, '.jpg'),
      ],
    ]
    for (const configurations of overlapping) {
      const error = await failure(put(configurations))
      expect([error.name, error.message]).toEqual([
        'InvalidArgument',
        'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
      ])
    }
    expect(
      (await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'guarded' }))).LambdaFunctionConfigurations,
    ).toBeUndefined()
    // Separate prefixes, separate suffixes or separate event types do not overlap.
    await put([
      entry('a', allowed, ['s3:ObjectCreated:*'], 'in/', '.json'),
      entry('b', allowed, ['s3:ObjectCreated:*'], 'out/'),
      entry('c', allowed, ['s3:ObjectCreated:*'], 'in/', '.txt'),
      entry('d', allowed, ['s3:ObjectRemoved:*']),
    ])
    const read = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'guarded' }))
    expect(
      read.LambdaFunctionConfigurations?.map((c) => [c.Id, c.LambdaFunctionArn, c.Events, c.Filter?.Key?.FilterRules]),
    ).toEqual([
      [
        'a',
        allowed,
        ['s3:ObjectCreated:*'],
        [
          { Name: 'Prefix', Value: 'in/' },
          { Name: 'Suffix', Value: '.json' },
        ],
      ],
      ['b', allowed, ['s3:ObjectCreated:*'], [{ Name: 'Prefix', Value: 'out/' }]],
      [
        'c',
        allowed,
        ['s3:ObjectCreated:*'],
        [
          { Name: 'Prefix', Value: 'in/' },
          { Name: 'Suffix', Value: '.txt' },
        ],
      ],
      ['d', allowed, ['s3:ObjectRemoved:*'], undefined],
    ])
  })

  it('invokes a configured function asynchronously with the documented S3 event for each matching change', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'events', ...where }))
    const arn = await recorder('s3-reader', 'events')
    await recorder('s3-stranger', undefined)
    const sqs = new SQSClient(config)
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 's3-events' }))
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'events',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Id: 'reader',
              LambdaFunctionArn: arn,
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: 'prefix', Value: 'in/' },
                    { Name: 'suffix', Value: '.json' },
                  ],
                },
              },
            },
          ],
          QueueConfigurations: [
            {
              Id: 'queue',
              QueueArn: `arn:aws:sqs:${region}:${account}:s3-events`,
              Events: ['s3:ObjectCreated:Put'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'q/' }] } },
            },
          ],
        },
      }),
    )
    const put = await s3.send(new PutObjectCommand({ Bucket: 'events', Key: 'in/red flower+ü.json', Body: 'hello' }))
    await s3.send(new PutObjectCommand({ Bucket: 'events', Key: 'in/skip.txt', Body: 'x' }))
    await s3.send(new PutObjectCommand({ Bucket: 'events', Key: 'q/m.json', Body: 'x' }))
    await s3.send(new DeleteObjectCommand({ Bucket: 'events', Key: 'in/red flower+ü.json' }))
    // Nothing was there: no change, no event.
    await s3.send(new DeleteObjectCommand({ Bucket: 'events', Key: 'in/never.json' }))
    await emulator.idle()
    // Lambda runs asynchronous events in any order; the sequencer orders the changes of one key (as S3 documents it).
    const sequencer = (records: unknown[]) => (records[0] as { s3: { object: { sequencer: string } } }).s3.object.sequencer
    const records = eventsOf('s3-reader')
      .map((event) => event.Records)
      .sort((a, b) => sequencer(a).localeCompare(sequencer(b)))
    const common = {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      userIdentity: { principalId: expect.any(String) },
      requestParameters: { sourceIPAddress: expect.any(String) },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
    }
    const bucket = { name: 'events', ownerIdentity: { principalId: expect.any(String) }, arn: 'arn:aws:s3:::events' }
    expect(records).toEqual([
      [
        {
          ...common,
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'reader',
            bucket,
            object: {
              key: 'in/red+flower%2B%C3%BC.json',
              size: 5,
              eTag: put.ETag?.replaceAll('"', ''),
              sequencer: expect.stringMatching(/^[0-9A-F]+$/),
            },
          },
        },
      ],
      [
        {
          ...common,
          eventName: 'ObjectRemoved:Delete',
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'reader',
            bucket,
            object: { key: 'in/red+flower%2B%C3%BC.json', sequencer: expect.stringMatching(/^[0-9A-F]+$/) },
          },
        },
      ],
    ])
    expect(eventsOf('s3-stranger')).toEqual([])
    const queued = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))
    expect(queued.Messages?.map((message) => JSON.parse(message.Body ?? '').Records[0].s3.object.key)).toEqual(['q/m.json'])
  })
})
