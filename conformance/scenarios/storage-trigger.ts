import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import { withOverrides } from '../../src/define.ts'
import type { ProviderCapabilities } from '../../src/provider.ts'
import { storage } from '../../src/triggers/storage.ts'
import { eventually, rejectedBeforeSending, ScenarioSkipped } from '../expect.ts'
import { storageRecorder } from '../fixtures/storage.ts'
import type { Inbox } from '../inbox.ts'
import type { ObjectStore, Scenario, ScenarioContext } from '../scenario.ts'

const needsStorage = (caps: Readonly<ProviderCapabilities>) =>
  caps.triggers.storage ? undefined : 'this target offers no storage trigger'

/** Deliveries are asynchronous: a hang guard only. */
const DELIVERY_TIMEOUT_MS = 60_000

function objectsOf(context: ScenarioContext): ObjectStore {
  if (!context.objects) throw new ScenarioSkipped('this target has no object storage the test can write to')
  return context.objects
}

/** The target's inbox; skipped where handlers run where the test cannot read what they received. */
function openInbox(context: ScenarioContext): Inbox {
  if (!context.inbox) throw new ScenarioSkipped('this target runs handlers where the test cannot read what they received')
  return context.inbox()
}

/** The events the handlers received, each checked to carry a valid eventTime, without it (each cloud's own time). */
const receivedEvents = (inbox: Inbox) =>
  inbox.deliveries().map((delivery) => {
    const { eventTime, ...rest } = delivery.received as { eventTime?: unknown }
    assert.ok(typeof eventTime === 'string' && !Number.isNaN(Date.parse(eventTime)), `eventTime ${String(eventTime)}`)
    return rest
  })

/** A bucket name unique to the run (function names are valid bucket names too). */
const bucketFor = (context: ScenarioContext, suffix: string) => context.name(suffix)

export const storageTrigger: Scenario[] = [
  {
    id: 'storage-events',
    title:
      'object created and deleted events reach the handler as the neutral event (content equal), and only for keys that pass the prefix and suffix filters',
    requires: needsStorage,
    async run(context) {
      const objects = objectsOf(context)
      const inbox = openInbox(context)
      const bucket = bucketFor(context, 'events')
      try {
        const trigger = storage({ bucket, events: ['created', 'deleted'], prefix: 'in/', suffix: '.json' })
        const fn = await context.cloud.deploy(withOverrides(storageRecorder, { env: inbox.env, trigger }), {
          name: context.name('reader'),
        })
        const body = new TextEncoder().encode(JSON.stringify({ hello: 'wörld' }))
        // The etag as that cloud's storage reports it: opaque, compared only with what the same cloud reports.
        const { etag } = await objects.put(bucket, 'in/a.json', body)
        await objects.put(bucket, 'in/b.txt', body) // suffix does not match
        await objects.put(bucket, 'out/c.json', body) // prefix does not match
        await objects.delete(bucket, 'out/c.json')
        await objects.delete(bucket, 'in/a.json')
        const expected = [
          { bucket, key: 'in/a.json', size: body.byteLength, etag, type: 'created' },
          { bucket, key: 'in/a.json', size: 0, etag: '', type: 'deleted' },
        ]
        const got = () => receivedEvents(inbox)
        await eventually(
          async () => expected.every((event) => got().some((received) => isDeepStrictEqual(received, event))),
          DELIVERY_TIMEOUT_MS,
          'the created and deleted events',
        )
        // At least once: copies are allowed, events for filtered-out keys are not.
        assert.deepEqual(
          got().filter((received) => !expected.some((event) => isDeepStrictEqual(received, event))),
          [],
          'only events for keys that pass the filters',
        )
        await objects.delete(bucket, 'in/b.txt')
        await fn.remove()
      } finally {
        inbox.close()
      }
    },
  },
  {
    id: 'storage-buckets',
    title:
      'a subscriber creates a missing bucket and its removal deletes it; a bucket cloudfn did not create, or one that holds objects, is kept',
    requires: needsStorage,
    async run(context) {
      const objects = objectsOf(context)
      const { cloud } = context
      const deploy = (bucket: string, suffix: string) =>
        cloud.deploy(withOverrides(storageRecorder, { trigger: storage({ bucket }) }), { name: context.name(suffix) })
      const made = bucketFor(context, 'made')
      const fn = await deploy(made, 'maker')
      assert.ok((await objects.bucketNames()).includes(made), 'the deploy creates a missing bucket')
      await fn.remove()
      assert.ok(!(await objects.bucketNames()).includes(made), 'the last subscriber out deletes the bucket cloudfn made')

      const theirs = bucketFor(context, 'theirs')
      await objects.createBucket(theirs)
      await (await deploy(theirs, 'user')).remove()
      assert.ok((await objects.bucketNames()).includes(theirs), 'a bucket cloudfn did not make is never deleted')

      const full = bucketFor(context, 'full')
      const holder = await deploy(full, 'holder')
      await objects.put(full, 'kept.txt', new TextEncoder().encode('kept'))
      await holder.remove()
      assert.ok((await objects.bucketNames()).includes(full), 'a bucket that holds objects is never deleted')
    },
  },
  {
    id: 'storage-shared-bucket',
    title:
      "removing one of two subscribers of a bucket leaves the bucket and the other's events alone; the last one out deletes the bucket cloudfn made once it is empty",
    requires: needsStorage,
    async run(context) {
      const objects = objectsOf(context)
      const inbox = openInbox(context)
      const bucket = bucketFor(context, 'shared')
      try {
        // Filters that keep the two apart: S3 refuses two entries that share an event type and could match one key.
        const subscriber = (prefix: string, suffix: string) =>
          context.cloud.deploy(withOverrides(storageRecorder, { env: inbox.env, trigger: storage({ bucket, prefix }) }), {
            name: context.name(suffix),
          })
        const first = await subscriber('a/', 'first')
        const second = await subscriber('b/', 'second')
        await first.remove()
        assert.ok((await objects.bucketNames()).includes(bucket), 'the bucket stays while a subscriber is left')
        const body = new TextEncoder().encode('kept')
        const { etag } = await objects.put(bucket, 'b/x.txt', body)
        const expected = { bucket, key: 'b/x.txt', size: body.byteLength, etag, type: 'created' }
        const got = () => receivedEvents(inbox)
        await eventually(
          async () => got().some((received) => isDeepStrictEqual(received, expected)),
          DELIVERY_TIMEOUT_MS,
          "the remaining subscriber's event",
        )
        await objects.delete(bucket, 'b/x.txt')
        await second.remove()
        assert.ok(
          !(await objects.bucketNames()).includes(bucket),
          'the last subscriber out deletes the empty bucket cloudfn made',
        )
      } finally {
        inbox.close()
      }
    },
  },
  {
    id: 'storage-bad-config',
    title: 'a bucket name some cloud refuses, or an unknown event, is InvalidArgument naming the field before anything is sent',
    async run({ cloud, probe, name, capabilities }) {
      const field = async (action: () => unknown, expected: string) => {
        const error = await rejectedBeforeSending(probe, async () => action(), 'InvalidArgument')
        assert.equal((error as { field?: string }).field, expected, error.message)
      }
      await field(() => storage({ bucket: 'Photos' }), 'trigger.bucket')
      await field(() => storage({ bucket: 'my.photos' }), 'trigger.bucket')
      await field(() => storage({ bucket: 'my--photos' }), 'trigger.bucket')
      await field(() => storage({ bucket: 'photos', events: ['modified' as never] }), 'trigger.events[0]')
      await field(() => storage({ bucket: 'photos', prefix: '' }), 'trigger.prefix')
      if (!capabilities.triggers.storage) {
        await field(
          () => cloud.deploy(withOverrides(storageRecorder, { trigger: storage({ bucket: name('b') }) }), { name: name('s') }),
          'trigger',
        )
      }
    },
  },
]
