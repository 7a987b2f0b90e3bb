import { afterEach, describe, expect, it } from 'vitest'
import { topicRecorder } from '../../conformance/fixtures/topics.ts'
import { type FunctionDefinition, withOverrides } from '../../src/define.ts'
import type { DeployPlan } from '../../src/plan.ts'
import { queue } from '../../src/triggers/queue.ts'
import { storage } from '../../src/triggers/storage.ts'
import { topic } from '../../src/triggers/topic.ts'
import { local } from './index.ts'

let cloud: ReturnType<typeof local> | undefined
afterEach(async () => {
  for (const record of (await cloud?.list()) ?? []) await cloud?.remove(record.name)
  cloud = undefined
})

/**
 * The fake's topics and queues (topics.ts, triggers.ts) as plan resources: a
 * topic with its subscribers' links, and each queue a function reads. A
 * dead-letter queue is only a name on the fake, so it is not compared.
 */
function resources(current: ReturnType<typeof local>): Set<string> {
  const topics = current.triggers.topics.list()
  return new Set([
    ...topics.map((found) => `topic:${found.name}`),
    ...topics.flatMap((found) => found.subscribers.map((fn) => `link:${found.name}:${fn}`)),
    ...[...current.triggers.queues.keys()].map((name) => `queue:${name}`),
    ...current.storage.list().map((bucket) => `bucket:${bucket.name}`),
  ])
}

/** What the plan says the deploy of `name` makes and deletes, in the same terms. */
function planned(plan: DeployPlan, name: string) {
  const made: string[] = []
  const gone: string[] = []
  for (const { kind, resource, detail } of plan.changes) {
    if (kind === 'create-topic' || (kind === 'create-queue' && detail === 'queue')) made.push(resource)
    if (kind === 'create-bucket') made.push(resource)
    if (kind === 'delete-bucket') gone.push(resource)
    if (kind === 'delete-topic' || (kind === 'delete-queue' && !resource.endsWith('-dead-letter'))) gone.push(resource)
    const link = `link:${resource.slice('topic:'.length)}:${name}`
    if (kind === 'update-topic-link' && detail.startsWith('delivers to')) made.push(link)
    if (kind === 'update-topic-link' && detail.startsWith('no longer')) gone.push(link)
  }
  return { made: made.sort(), gone: gone.sort() }
}

// biome-ignore lint/suspicious/noExplicitAny: any definition is planned then deployed
async function planThenDeploy(current: ReturnType<typeof local>, definition: FunctionDefinition<any, any, any>, name: string) {
  const before = resources(current)
  const plan = await current.plan(definition, { name })
  await current.deploy(definition, { name })
  const after = resources(current)
  expect({
    made: [...after].filter((resource) => !before.has(resource)).sort(),
    gone: [...before].filter((resource) => !after.has(resource)).sort(),
  }).toEqual(planned(plan, name))
  expect((await current.plan(definition, { name })).changes).toEqual([])
  return plan.changes.map((change) => `${change.kind} ${change.resource}`)
}

const on = (topicName: string) => withOverrides(topicRecorder, { trigger: topic({ name: topicName }) })

describe('local plan of topic triggers lists exactly what the deploy then makes and deletes', () => {
  it('first and second subscriber, a queue → topic switch, and the last subscriber out', async () => {
    const current = local({ queueRetryDelayMs: 0 })
    cloud = current
    expect(await planThenDeploy(current, on('orders'), 'sub-a')).toEqual([
      'create-function function:sub-a',
      'create-topic topic:orders',
      'create-queue queue:sub-a-dead-letter',
      'update-topic-link topic:orders',
    ])
    expect(await planThenDeploy(current, on('orders'), 'sub-b')).not.toContain('create-topic topic:orders')

    await current.deploy(withOverrides(topicRecorder, { trigger: queue() }), { name: 'sub-c' })
    const switched = await planThenDeploy(current, on('orders'), 'sub-c')
    // The queue's dead-letter queue is the subscriber's too: neither created nor deleted.
    expect(switched.filter((change) => !change.includes(' function:'))).toEqual([
      'update-topic-link topic:orders',
      'delete-queue queue:sub-c',
    ])

    const moved = await planThenDeploy(current, on('other'), 'sub-a')
    expect(moved).toContain('create-topic topic:other')
    expect(moved).not.toContain('delete-topic topic:orders')
    expect(await planThenDeploy(current, withOverrides(topicRecorder, { trigger: queue() }), 'sub-b')).not.toContain(
      'delete-topic topic:orders',
    )
    const last = await planThenDeploy(current, on('other'), 'sub-c')
    expect(last).toContain('delete-topic topic:orders')
    expect(last).not.toContain('create-topic topic:other')
  })
})

describe('local plan of storage triggers lists the bucket the deploy makes and the one the last subscriber deletes', () => {
  it('makes a missing bucket, uses an existing one, and deletes only an empty one cloudfn made', async () => {
    const current = local({ queueRetryDelayMs: 0 })
    cloud = current
    const reads = (bucket: string, prefix?: string) =>
      withOverrides(topicRecorder, { trigger: storage({ bucket, ...(prefix === undefined ? {} : { prefix }) }) })
    expect(await planThenDeploy(current, reads('uploads'), 'reader-a')).toEqual([
      'create-function function:reader-a',
      'create-bucket bucket:uploads',
      'update-storage-link bucket:uploads',
    ])
    const second = await planThenDeploy(current, reads('uploads', 'img/'), 'reader-b')
    expect(second).toEqual(['create-function function:reader-b', 'update-storage-link bucket:uploads'])
    // Leaving while another reads it keeps the bucket; the last one out deletes it, being empty.
    const moved = await planThenDeploy(current, reads('archive'), 'reader-a')
    expect(moved.filter((change) => change.includes('bucket:'))).toEqual([
      'create-bucket bucket:archive',
      'update-storage-link bucket:archive',
      'update-storage-link bucket:uploads',
    ])
    const last = await planThenDeploy(current, reads('archive'), 'reader-b')
    expect(last.filter((change) => change.includes('bucket:'))).toEqual([
      'update-storage-link bucket:archive',
      'update-storage-link bucket:uploads',
      'delete-bucket bucket:uploads',
    ])
    // A bucket holding objects is kept when its last subscriber leaves.
    current.storage.put('archive', 'kept.txt', 'x')
    await planThenDeploy(current, withOverrides(topicRecorder, { trigger: queue() }), 'reader-a')
    const keeps = await planThenDeploy(current, withOverrides(topicRecorder, { trigger: queue() }), 'reader-b')
    expect(keeps).toContain('update-storage-link bucket:archive')
    expect(keeps).not.toContain('delete-bucket bucket:archive')
  })
})

describe('local plan refuses what deploy refuses', () => {
  it("another function's queue, with deploy's error", async () => {
    const current = local({ queueRetryDelayMs: 0 })
    cloud = current
    const owned = withOverrides(topicRecorder, { trigger: queue({ name: 'owned' }) })
    await current.deploy(owned, { name: 'owner' })
    const planned = await current.plan(owned, { name: 'intruder' }).catch((error: unknown) => error)
    const deployed = await current.deploy(owned, { name: 'intruder' }).catch((error: unknown) => error)
    expect(deployed).toMatchObject({ code: 'Conflict' })
    expect(planned).toBeInstanceOf((deployed as Error).constructor)
    expect(planned).toMatchObject({ code: (deployed as { code: string }).code, message: (deployed as Error).message })
  })
})
