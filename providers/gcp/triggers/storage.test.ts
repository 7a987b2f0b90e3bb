import { createHash } from 'node:crypto'
import { Storage } from '@google-cloud/storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caughtError, eventually } from '../../../conformance/expect.ts'
import { storageRecorder } from '../../../conformance/fixtures/storage.ts'
import { createInboxes } from '../../../conformance/inbox.ts'
import { withOverrides } from '../../../src/define.ts'
import { storage } from '../../../src/triggers/storage.ts'
import { PROJECT, REGION, startEmulated } from '../__fixtures__/setup.ts'
import { storageAuthClient } from '../emulator/index.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
let objects: Storage
const inboxes = createInboxes()
beforeAll(async () => {
  env = await startEmulated({ queueRetryDelayMs: 2 })
  objects = new Storage({ projectId: PROJECT, authClient: storageAuthClient() as never })
})
afterAll(async () => {
  await env.emulator.close()
  inboxes.close()
})

const bytes = new TextEncoder().encode(JSON.stringify({ hello: 'wörld' }))
const put = (bucket: string, key: string) => objects.bucket(bucket).file(key).save(Buffer.from(bytes), { resumable: false })
const bucketOf = (name: string) => env.emulator.gcs.buckets.get(name)?.resource
const eventarcTriggers = () => env.emulator.eventarc.triggers.keys()

describe('gcp storage triggers', () => {
  it('makes the bucket (labelled, in the function region), an event trigger on it, and a second Eventarc trigger for deletions; handlers get the neutral events of matching keys only', async () => {
    const inbox = inboxes.open()
    const cloud = env.cloudWith()
    const trigger = storage({ bucket: 'uploads-a', events: ['created', 'deleted'], prefix: 'in/', suffix: '.json' })
    await cloud.deploy(withOverrides(storageRecorder, { env: inbox.env, trigger }), { name: 'reader-a' })
    // The second event type is a standalone Eventarc trigger on the function's service, in the bucket's location.
    expect([...eventarcTriggers()]).toEqual([`projects/${PROJECT}/locations/${REGION}/triggers/reader-a-deleted`])
    expect(bucketOf('uploads-a')).toMatchObject({
      location: REGION.toUpperCase(),
      labels: { 'cloudfn-managed': 'true', 'cloudfn-bucket': 'true' },
    })
    const fn = env.state.byShortName('reader-a')
    expect(fn?.resource.eventTrigger).toMatchObject({
      eventType: 'google.cloud.storage.object.v1.finalized',
      eventFilters: [{ attribute: 'bucket', value: 'uploads-a' }],
      triggerRegion: REGION,
    })
    expect((await cloud.get('reader-a')).trigger).toEqual(trigger)
    await put('uploads-a', 'in/a.json')
    await put('uploads-a', 'in/b.txt')
    await objects.bucket('uploads-a').file('in/a.json').delete()
    const md5 = createHash('md5').update(bytes).digest('hex')
    const got = () =>
      inbox.deliveries().map((delivery) => {
        const { eventTime, ...rest } = delivery.received as { eventTime: string }
        return rest
      })
    await eventually(async () => got().length >= 2, 30_000, 'two events')
    expect(got()).toEqual([
      { bucket: 'uploads-a', key: 'in/a.json', size: bytes.byteLength, etag: md5, type: 'created' },
      { bucket: 'uploads-a', key: 'in/a.json', size: 0, etag: '', type: 'deleted' },
    ])
    inbox.close()
    await objects.bucket('uploads-a').file('in/b.txt').delete()
    await cloud.remove('reader-a')
    expect(bucketOf('uploads-a')).toBeUndefined()
    expect(env.emulator.gcs.notifications.filter((config) => config.bucket === 'uploads-a')).toEqual([])
    expect([...eventarcTriggers()]).toEqual([])
  })

  it('plans the bucket changes the deploy then makes: a missing bucket made, an existing one used, only an empty one cloudfn made deleted by its last subscriber', async () => {
    const cloud = env.cloudWith()
    const reads = (bucket: string, prefix?: string) =>
      withOverrides(storageRecorder, { trigger: storage({ bucket, ...(prefix === undefined ? {} : { prefix }) }) })
    const planThenDeploy = async (definition: ReturnType<typeof reads>, name: string) => {
      const plan = await cloud.plan(definition, { name })
      await cloud.deploy(definition, { name })
      expect((await cloud.plan(definition, { name })).changes).toEqual([])
      return plan.changes.map((change) => `${change.kind} ${change.resource}`).filter((change) => change.includes('bucket:'))
    }
    expect(await planThenDeploy(reads('plan-uploads'), 'plan-reader-a')).toEqual([
      'create-bucket bucket:plan-uploads',
      'update-storage-link bucket:plan-uploads',
    ])
    expect(bucketOf('plan-uploads')).toBeDefined()
    expect(await planThenDeploy(reads('plan-uploads', 'img/'), 'plan-reader-b')).toEqual([
      'update-storage-link bucket:plan-uploads',
    ])
    expect(await planThenDeploy(reads('plan-archive'), 'plan-reader-a')).toEqual([
      'create-bucket bucket:plan-archive',
      'update-storage-link bucket:plan-archive',
      'update-storage-link bucket:plan-uploads',
    ])
    expect(bucketOf('plan-uploads')).toBeDefined()
    expect(await planThenDeploy(reads('plan-archive'), 'plan-reader-b')).toEqual([
      'update-storage-link bucket:plan-archive',
      'update-storage-link bucket:plan-uploads',
      'delete-bucket bucket:plan-uploads',
    ])
    expect(bucketOf('plan-uploads')).toBeUndefined()
    // A bucket holding objects is kept when its last subscriber leaves; one cloudfn did not make, always.
    await put('plan-archive', 'kept.txt')
    await cloud.remove('plan-reader-a')
    await cloud.remove('plan-reader-b')
    expect(bucketOf('plan-archive')).toBeDefined()
    await objects.createBucket('plan-theirs')
    expect(await planThenDeploy(reads('plan-theirs'), 'plan-reader-c')).toEqual(['update-storage-link bucket:plan-theirs'])
    await cloud.remove('plan-reader-c')
    expect(bucketOf('plan-theirs')?.labels).toBeUndefined()
  })

  it("puts both Eventarc triggers in an existing bucket's location (a US multi-region bucket: 'us'), and delivers from it", async () => {
    await objects.createBucket('theirs-us')
    const inbox = inboxes.open()
    const cloud = env.cloudWith()
    const trigger = storage({ bucket: 'theirs-us', events: ['deleted', 'created'] })
    await cloud.deploy(withOverrides(storageRecorder, { env: inbox.env, trigger }), { name: 'reader-us' })
    expect(env.state.byShortName('reader-us')?.resource.eventTrigger).toMatchObject({ triggerRegion: 'us' })
    expect([...eventarcTriggers()]).toEqual([`projects/${PROJECT}/locations/us/triggers/reader-us-deleted`])
    await put('theirs-us', 'a.txt')
    await eventually(async () => inbox.deliveries().length >= 1, 30_000, 'the created event')
    expect(inbox.deliveries().map((delivery) => (delivery.received as { key: string }).key)).toEqual(['a.txt'])
    inbox.close()
    await cloud.remove('reader-us')
    expect([...eventarcTriggers()]).toEqual([])
    expect(bucketOf('theirs-us')).toBeDefined()
  })

  it("gc collects what a crashed removal left: an empty bucket cloudfn made and the function's second Eventarc trigger, never a bucket holding objects", async () => {
    const cloud = env.cloudWith()
    const both = (bucket: string) =>
      withOverrides(storageRecorder, { trigger: storage({ bucket, events: ['created', 'deleted'] }) })
    await cloud.deploy(both('gc-empty'), { name: 'gc-reader-a' })
    await cloud.deploy(both('gc-full'), { name: 'gc-reader-b' })
    await put('gc-full', 'kept.txt')
    // The functions go without cloudfn's remove (a remove that crashed after the function's own deletion).
    for (const name of ['gc-reader-a', 'gc-reader-b']) {
      const response = await fetch(
        `https://cloudfunctions.googleapis.com/v2/projects/${PROJECT}/locations/${REGION}/functions/${name}`,
        {
          method: 'DELETE',
          headers: { authorization: 'Bearer t' },
        },
      )
      expect(response.status).toBe(200)
    }
    await eventually(async () => !env.state.byShortName('gc-reader-b'), 10_000, 'the functions gone')
    const dry = await cloud.gc({ olderThanMs: 0, dryRun: true })
    expect(dry.removed.filter((resource) => /gc-/.test(resource)).sort()).toEqual([
      'bucket:gc-empty',
      'trigger:gc-reader-a-deleted',
      'trigger:gc-reader-b-deleted',
    ])
    expect(dry.kept).toContain('bucket:gc-full')
    await cloud.gc({ olderThanMs: 0 })
    expect(bucketOf('gc-empty')).toBeUndefined()
    expect(bucketOf('gc-full')).toBeDefined()
    expect([...eventarcTriggers()].filter((trigger) => trigger.includes('/gc-'))).toEqual([])
  })

  it('refuses a bucket name Cloud Storage refuses as InvalidArgument naming trigger.bucket, before sending anything', async () => {
    const cloud = env.cloudWith()
    const before = env.state.requestCount
    const error = await caughtError(
      cloud.deploy(withOverrides(storageRecorder, { trigger: storage({ bucket: 'google-photos' }) }), { name: 'bad-bucket' }),
    )
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'trigger.bucket' })
    expect(env.state.requestCount).toBe(before)
  })
})
