import { HttpResponse, http as mswHttp } from 'msw'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { httpThrows, ticker, worker } from '../../../conformance/fixtures/functions.ts'
import { withOverrides } from '../../../src/define.ts'
import { createManualClock } from '../../../src/triggers/clock.ts'
import { http } from '../../../src/triggers/http.ts'
import { queue } from '../../../src/triggers/queue.ts'
import { schedule } from '../../../src/triggers/schedule.ts'
import { startEmulated } from '../__fixtures__/setup.ts'
import { GcpEmulatorState } from '../emulator/state.ts'

const clock = createManualClock(Date.UTC(2026, 0, 1, 0, 0, 30))
/**
 * Waiting for deliveries: each is a function execution in a process, seven or more in a row, which a loaded
 * machine can stretch over seconds. A hang guard only, within this file's two-minute test timeout.
 */
const DELIVERIES = { timeout: 50_000, interval: 10 }
vi.setConfig({ testTimeout: 120_000 })
let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated({ clock, queueRetryDelayMs: 2 })
})
afterAll(() => env.emulator.close())

/** Requests since `from` that changed something on a trigger API (anything but reads). */
const triggerWrites = (from: number) =>
  env.state.requests
    .slice(from)
    .filter((r) => /cloudscheduler|pubsub|run\.googleapis/.test(r.url) && r.method !== 'GET')
    .map((r) => `${r.method} ${new URL(r.url).pathname}`)

const jobNames = () => [...env.emulator.scheduler.jobs.keys()].map((name) => name.split('/').pop())
/** The Cloud Run URL behind a function: what its platform callers address (its record has none unless HTTP). */
const serviceUri = (name: string) => env.state.byShortName(name)?.resource.serviceConfig.uri
/** Spelled out here rather than imported, so the test checks the number the provider looked up. */
const AGENT = `serviceAccount:service-${GcpEmulatorState.projectNumber('cloudfn-tests')}@gcp-sa-pubsub.iam.gserviceaccount.com`
const bindingsOf = (resource: string) => env.emulator.pubsub.policies.get(resource)?.bindings ?? []
const resourceManagerCalls = (from: number) =>
  env.state.requests.slice(from).filter((r) => r.url.startsWith('https://cloudresourcemanager.googleapis.com/')).length
const topics = () => [...env.emulator.pubsub.topics.keys()].map((name) => name.split('/').pop()).sort()

describe('gcp trigger resources', () => {
  it('creates a Scheduler job for a schedule, leaves it alone on an unchanged redeploy, updates it on a change and deletes it on remove', async () => {
    const cloud = env.cloudWith()
    const fn = await cloud.deploy(ticker, { name: 'tick' })
    expect(fn.url).toBeUndefined()
    const uri = serviceUri('tick')
    expect(uri).toMatch(/^https:\/\/tick-[0-9a-f]{10}-uc\.a\.run\.app$/)
    const job = env.emulator.scheduler.jobs.get(`projects/cloudfn-tests/locations/us-central1/jobs/cloudfn-tick`)?.resource
    expect(job).toMatchObject({
      schedule: '*/5 * * * *',
      timeZone: 'UTC',
      httpTarget: { uri, httpMethod: 1, oidcToken: { audience: uri } },
    })
    expect(job?.httpTarget.oidcToken?.serviceAccountEmail).toMatch(/-compute@developer\.gserviceaccount\.com$/)
    const before = env.state.requests.length
    const again = await cloud.deploy(ticker, { name: 'tick' })
    expect(again.status).toBe('unchanged')
    expect(triggerWrites(before)).toEqual([])
    await cloud.deploy(withOverrides(ticker, { trigger: schedule('0 9 * * 1', { timezone: 'Europe/Paris' }) }), { name: 'tick' })
    expect(
      env.emulator.scheduler.jobs.get(`projects/cloudfn-tests/locations/us-central1/jobs/cloudfn-tick`)?.resource,
    ).toMatchObject({ schedule: '0 9 * * 1', timeZone: 'Europe/Paris' })
    expect((await cloud.get('tick')).trigger).toMatchObject({ kind: 'schedule', timezone: 'Europe/Paris' })
    await cloud.remove('tick')
    expect(jobNames()).not.toContain('cloudfn-tick')
  })

  it('grants allUsers the invoker role only while the HTTP function is public', async () => {
    const cloud = env.cloudWith()
    const fn = await cloud.deploy(httpThrows, { name: 'site' })
    expect((await fetch(fn.url as string)).status).toBe(200)
    await cloud.deploy(withOverrides(httpThrows, { trigger: http({ auth: 'iam' }) }), { name: 'site' })
    expect((await fetch(fn.url as string)).status).toBe(403)
    expect((await (await cloud.get('site')).fetch('/')).status).toBe(200)
    await cloud.remove('site')
  })

  it('makes the topics, the dead-letter keeper and the dead-letter policy for a queue, and removes what it made', async () => {
    const cloud = env.cloudWith()
    const trigger = queue({ name: 'jobs', deadLetter: 'jobs-failed', maxRetries: 6 })
    const fn = await cloud.deploy(withOverrides(worker, { trigger }), { name: 'consumer' })
    expect(topics()).toEqual(['jobs', 'jobs-failed'])
    const subscriptions = [...env.emulator.pubsub.subscriptions.values()].map((s) => s.resource)
    expect(fn.url).toBeUndefined()
    const uri = serviceUri('consumer')
    expect(uri).toMatch(/^https:\/\/consumer-[0-9a-f]{10}-uc\.a\.run\.app$/)
    const pushed = subscriptions.find((s) => s.pushConfig?.pushEndpoint === uri)
    expect(pushed).toMatchObject({
      topic: 'projects/cloudfn-tests/topics/jobs',
      deadLetterPolicy: { deadLetterTopic: 'projects/cloudfn-tests/topics/jobs-failed', maxDeliveryAttempts: 7 },
    })
    expect(subscriptions.map((s) => s.name)).toContain('projects/cloudfn-tests/subscriptions/jobs-failed')
    // Pub/Sub's service agent may publish the dead letter and acknowledge it on the pushing subscription.
    expect(bindingsOf('projects/cloudfn-tests/topics/jobs-failed')).toEqual([
      { role: 'roles/pubsub.publisher', members: [AGENT] },
    ])
    expect(bindingsOf(pushed?.name ?? '')).toEqual([{ role: 'roles/pubsub.subscriber', members: [AGENT] }])
    const before = env.state.requests.length
    expect((await cloud.deploy(withOverrides(worker, { trigger }), { name: 'consumer' })).status).toBe('unchanged')
    expect(triggerWrites(before)).toEqual([])
    await fn.send({ id: 1, fail: true })
    await expect.poll(() => env.emulator.deadLetters('consumer'), DELIVERIES).toEqual(['{"id":1,"fail":true}'])
    expect(env.state.executions.get('consumer')).toBe(7)
    await cloud.remove('consumer')
    expect(topics()).toEqual([])
    expect([...env.emulator.pubsub.subscriptions.keys()]).toEqual([])
    expect([...env.emulator.pubsub.policies.keys()]).toEqual([])
  })

  it('dead-letters only while the service agent has its roles: a redeploy restores a lost grant and keeps the bindings it found', async () => {
    const cloud = env.cloudWith()
    const trigger = queue({ name: 'orders', deadLetter: 'audit-dlq', maxRetries: 4 })
    await cloud.deploy(withOverrides(worker, { trigger }), { name: 'picky' })
    // Someone adds bindings of their own to the dead-letter topic's policy, one of them conditional.
    const audit = 'projects/cloudfn-tests/topics/audit-dlq'
    const auth = { authorization: 'Bearer user' }
    const condition = { title: 'later', expression: 'request.time > timestamp("2099-01-01T00:00:00Z")' }
    const theirs = [
      { role: 'roles/pubsub.publisher', members: [AGENT], condition },
      { role: 'roles/pubsub.viewer', members: ['user:ops@example.com'] },
    ]
    const set = await fetch(`https://pubsub.googleapis.com/v1/${audit}:setIamPolicy`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ policy: { bindings: [...theirs, ...bindingsOf(audit)] } }),
    })
    expect(set.status).toBe(200)
    expect(bindingsOf(audit)).toEqual([...theirs, { role: 'roles/pubsub.publisher', members: [AGENT] }])

    // Someone takes the subscriber role away: a failing message is then redelivered past its last attempt.
    const subscription = env.state.byShortName('picky')?.eventSubscription ?? ''
    env.emulator.pubsub.policies.delete(subscription)
    await cloud.get('picky').then((fn) => fn.send({ id: 2, fail: true }))
    await expect.poll(() => env.state.executions.get('picky') ?? 0, DELIVERIES).toBeGreaterThan(7)
    expect(env.emulator.deadLetters('picky')).toEqual([])

    // The next deploy repairs that grant alone, and the message still being redelivered is dead-lettered.
    const before = env.state.requests.length
    expect((await cloud.deploy(withOverrides(worker, { trigger }), { name: 'picky' })).status).toBe('updated')
    expect(triggerWrites(before)).toEqual([`POST /v1/${subscription}:setIamPolicy`])
    expect(bindingsOf(audit)).toEqual([...theirs, { role: 'roles/pubsub.publisher', members: [AGENT] }])
    await expect.poll(() => env.emulator.deadLetters('picky'), DELIVERIES).toEqual(['{"id":2,"fail":true}'])
    await cloud.remove('picky')
    // cloudfn made the topic for 'picky': it goes with the function, its policy with it.
    expect(topics()).toEqual([])
    expect([...env.emulator.pubsub.policies.keys()]).toEqual([])
  })

  it('asks Resource Manager for the project number once per provider, and again after a failure', async () => {
    const cloud = env.cloudWith({}, env.providerWith())
    const trigger = queue({ name: 'numbered', maxRetries: 4 })
    let refused = 0
    env.server.use(
      mswHttp.get(
        'https://cloudresourcemanager.googleapis.com/v3/projects/cloudfn-tests',
        () => {
          refused++
          return HttpResponse.json({ error: { code: 503, status: 'UNAVAILABLE', message: 'try again' } }, { status: 503 })
        },
        { once: true },
      ),
    )
    const before = env.state.requests.length
    await cloud.deploy(withOverrides(worker, { trigger }), { name: 'numbered' })
    // The refused lookup was not kept: the deploy's retry asked again and got the number.
    expect([refused, resourceManagerCalls(before)]).toEqual([1, 1])
    expect(bindingsOf('projects/cloudfn-tests/topics/numbered-dead-letter')).toEqual([
      { role: 'roles/pubsub.publisher', members: [AGENT] },
    ])
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'numbered', maxRetries: 5 }) }), { name: 'numbered' })
    expect(resourceManagerCalls(before)).toBe(1)
    await cloud.remove('numbered')
  })

  it('collects a job and topics that no function uses any more', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(ticker, { name: 'ghost' })
    await cloud.deploy(withOverrides(worker, { trigger: queue({ name: 'ghost-q' }) }), { name: 'ghost-q-fn' })
    // A remove that crashed after the function went: its trigger resources stay behind.
    const provider = env.provider
    const deleteOnlyFunction = async (name: string) => {
      const fn = env.state.byShortName(name)
      if (fn) env.state.functions.delete(fn.resource.name)
    }
    await deleteOnlyFunction('ghost')
    await deleteOnlyFunction('ghost-q-fn')
    const result = await provider.doGc?.({ olderThanMs: 0, dryRun: false }, {})
    expect(result?.removed.sort()).toEqual([
      'job:cloudfn-ghost',
      'subscription:ghost-q-dead-letter',
      'topic:ghost-q',
      'topic:ghost-q-dead-letter',
    ])
    expect(jobNames()).toEqual([])
    expect(topics()).toEqual([])
  })
})
