import { unzipSync } from 'fflate'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { echo } from '../../../conformance/fixtures/functions.ts'
import { API, startEmulated } from '../__fixtures__/setup.ts'
import { fakeIdToken } from './index.ts'

let env: Awaited<ReturnType<typeof startEmulated>>
beforeAll(async () => {
  env = await startEmulated()
})
afterAll(() => env.emulator.close())
afterEach(() => env.emulator.faults.clear())

const auth = { authorization: 'Bearer test-access-token' }

describe('gcp emulator', () => {
  it('fails any request it does not handle instead of reaching the network', async () => {
    await expect(fetch('https://example.com/')).rejects.toThrow()
    await expect(fetch('https://metadata.google.internal/computeMetadata/v1/')).rejects.toThrow()
  })

  it('answers API errors with Google JSON bodies', async () => {
    const missing = await fetch(`${API}/functions/nope`, { headers: auth })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining('nope'), details: [] },
    })
    const anonymous = await fetch(`${API}/functions/nope`)
    expect(anonymous.status).toBe(401)
    expect(((await anonymous.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED')
    const badId = await fetch(`${API}/functions?functionId=Bad_Id`, { method: 'POST', headers: auth, body: '{}' })
    expect(((await badId.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT')
  })

  it('injects API faults: quota errors as Google APIs send them (ErrorInfo, no Retry-After or RetryInfo)', async () => {
    env.emulator.faults.inject({ on: 'control', kind: 'throttle', retryAfterSec: 3 })
    const throttled = await fetch(`${API}/functions`, { headers: auth })
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBeNull()
    const body = (await throttled.json()) as { error: { status: string; details: Array<Record<string, unknown>> } }
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED')
    expect(body.error.details.map((detail) => [detail['@type'], detail.reason])).toEqual([
      ['type.googleapis.com/google.rpc.ErrorInfo', 'RATE_LIMIT_EXCEEDED'],
    ])
    expect((await fetch(`${API}/functions`, { headers: auth })).status).toBe(200)
    env.emulator.faults.inject({ on: 'control', kind: 'reset' })
    await expect(fetch(`${API}/functions`, { headers: auth })).rejects.toThrow()
  })

  it('writes enums as names unless the caller asks for numbers, and describes operations as the API does', async () => {
    const cloud = env.cloudWith()
    await cloud.deploy(echo, { name: 'shaped' })
    const fnUrl = `${API}/functions/shaped`
    const named = (await (await fetch(fnUrl, { headers: auth })).json()) as Record<string, unknown>
    expect(named).toMatchObject({ state: 'ACTIVE', environment: 'GEN_2', serviceConfig: { ingressSettings: 'ALLOW_ALL' } })
    const numbered = (await (await fetch(`${fnUrl}?$alt=json%3Benum-encoding=int`, { headers: auth })).json()) as Record<
      string,
      unknown
    >
    expect(numbered).toMatchObject({ state: 1, environment: 2, serviceConfig: { ingressSettings: 1 } })
    const operation = [...env.state.operations.values()].find((op) => (op.metadata.target as string).endsWith('/shaped'))
    const shown = (await (
      await fetch(`https://cloudfunctions.googleapis.com/v2/${operation?.name}`, { headers: auth })
    ).json()) as {
      metadata: Record<string, unknown>
    }
    expect(shown.metadata).toMatchObject({
      '@type': 'type.googleapis.com/google.cloud.functions.v2.OperationMetadata',
      operationType: 'CREATE_FUNCTION',
      verb: 'create',
      requestResource: { '@type': 'type.googleapis.com/google.cloud.functions.v2.Function' },
      buildName: expect.stringMatching(/^projects\/\d+\/locations\/us-central1\/builds\/[0-9a-f-]{36}$/),
      stages: [
        { name: 'BUILD', state: 'COMPLETE' },
        { name: 'SERVICE', state: 'COMPLETE' },
      ],
    })
    await cloud.remove('shaped')
  })

  it('accepts an upload only as a PUT of a zip without Authorization, to a URL it handed out', async () => {
    const generated = await fetch(`${API}/functions:generateUploadUrl`, { method: 'POST', headers: auth, body: '{}' })
    const { uploadUrl } = (await generated.json()) as { uploadUrl: string }
    const zip = new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)])
    const withAuth = await fetch(uploadUrl, { method: 'PUT', headers: { ...auth, 'content-type': 'application/zip' }, body: zip })
    expect(withAuth.status).toBe(400)
    const wrongType = await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: zip })
    expect(wrongType.status).toBe(403)
    const forged = await fetch(uploadUrl.replace(/[0-9a-f-]{36}\.zip/, 'other.zip'), {
      method: 'PUT',
      headers: { 'content-type': 'application/zip' },
      body: zip,
    })
    expect(forged.status).toBe(403)
    expect((await fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/zip' }, body: zip })).status).toBe(
      200,
    )
  })

  it('runs a long-running operation: polled while running, then done with the function', async () => {
    env.emulator.options.operationDelayMs = 60
    try {
      const before = env.state.requests.length
      const fn = await env.cloudWith().deploy(echo, { name: 'op-check' })
      const record = env.state.byShortName('op-check')
      expect(record?.resource.state).toBe(1)
      const operations = [...env.state.operations.values()].filter((op) => op.metadata.target === record?.resource.name)
      expect(operations.map((op) => [op.metadata.verb, op.done])).toEqual([['create', true]])
      // gax polls only an operation that was not done when created, and the create answer is never done while the
      // delay runs: at least one poll, whatever the machine's speed (how many depends on it, so it is not checked).
      const polls = env.state.requests.slice(before).filter((r) => r.method === 'GET' && r.url.includes('/operations/'))
      expect(polls.length).toBeGreaterThanOrEqual(1)
      await fn.remove()
    } finally {
      env.emulator.options.operationDelayMs = 5
    }
  })

  it('ships a package.json whose main is the bundle, and the bundle exports the entry point', async () => {
    await env.cloudWith().deploy(echo, { name: 'zip-check' })
    const source = env.state.byShortName('zip-check')?.resource.buildConfig.source?.storageSource
    const zip = env.state.uploads.get(`${source?.bucket}/${source?.object}`)
    const files = unzipSync(zip ?? new Uint8Array())
    const manifest = JSON.parse(new TextDecoder().decode(files['package.json'])) as Record<string, unknown>
    expect(manifest).toMatchObject({ main: 'index.mjs', type: 'module' })
    expect(manifest.dependencies).toHaveProperty('@google-cloud/functions-framework')
    expect(new TextDecoder().decode(files['index.mjs'])).toMatch(/export\s*\{[^}]*handler/)
    await env.cloudWith().remove('zip-check')
  })

  it("guards a function's URL: 403 without a token, 401 for another audience, 404 for an unknown service", async () => {
    const fn = await env.cloudWith().deploy(echo, { name: 'guarded' })
    const url = env.state.byShortName('guarded')?.resource.serviceConfig.uri as string
    expect(url).toMatch(/^https:\/\/guarded-[0-9a-f]{10}-uc\.a\.run\.app$/)
    expect((await fetch(url, { method: 'POST', body: '1' })).status).toBe(403)
    const other = await fetch(url, {
      method: 'POST',
      body: '1',
      headers: { authorization: `Bearer ${fakeIdToken('https://x.a.run.app')}` },
    })
    expect(other.status).toBe(401)
    const expired = await fetch(url, { method: 'POST', body: '1', headers: { authorization: `Bearer ${fakeIdToken(url, -10)}` } })
    expect(expired.status).toBe(401)
    const unknown = await fetch('https://nobody-0123456789-uc.a.run.app/', { method: 'POST', body: '1' })
    expect(unknown.status).toBe(404)
    const token = { authorization: `Bearer ${fakeIdToken(url)}` }
    const ok = await fetch(url, { method: 'POST', body: '{"a":1}', headers: { ...token, 'content-type': 'text/plain' } })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { value: unknown }).value).toEqual({ a: 1 })
    // The Functions Framework's JSON parser is strict: a top-level string is refused.
    const strict = await fetch(url, { method: 'POST', body: '"x"', headers: { ...token, 'content-type': 'application/json' } })
    expect(strict.status).toBe(400)
    await fn.remove()
  })

  it('answers a project by ID with its number, as Resource Manager v3 does', async () => {
    const base = 'https://cloudresourcemanager.googleapis.com/v3/projects'
    const found = await fetch(`${base}/cloudfn-tests`, { headers: auth })
    expect(await found.json()).toMatchObject({
      name: expect.stringMatching(/^projects\/\d+$/),
      projectId: 'cloudfn-tests',
      state: 'ACTIVE',
    })
    expect((await fetch(`${base}/123456`, { headers: auth })).status).toBe(403)
    expect((await fetch(`${base}/cloudfn-tests`)).status).toBe(401)
  })

  it("keeps a Pub/Sub topic's IAM policy with the API's checks, and drops it with the topic", async () => {
    const topic = 'https://pubsub.googleapis.com/v1/projects/cloudfn-tests/topics/iam-check'
    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: auth, body: JSON.stringify(body) })
    expect((await fetch(`${topic}:getIamPolicy`, { headers: auth })).status).toBe(404)
    await fetch(topic, { method: 'PUT', headers: auth, body: '{}' })
    const empty = (await (await fetch(`${topic}:getIamPolicy`, { headers: auth })).json()) as { etag: string }
    // An empty policy comes without bindings, as proto3 JSON leaves empty lists out.
    expect(empty).toEqual({ version: 1, etag: expect.any(String) })
    const grant = (members: string[]) => ({ bindings: [{ role: 'roles/pubsub.publisher', members }], etag: empty.etag })
    const agentById = 'serviceAccount:service-cloudfn-tests@gcp-sa-pubsub.iam.gserviceaccount.com'
    expect((await post(`${topic}:setIamPolicy`, { policy: grant([agentById]) })).status).toBe(400)
    const roleOfRun = { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] }
    expect((await post(`${topic}:setIamPolicy`, { policy: roleOfRun })).status).toBe(400)
    const agent = 'serviceAccount:service-42@gcp-sa-pubsub.iam.gserviceaccount.com'
    expect((await post(`${topic}:setIamPolicy`, { policy: grant([agent]) })).status).toBe(200)
    // The etag read before that write is stale now.
    const stale = await post(`${topic}:setIamPolicy`, { policy: grant([agent, 'user:a@example.com']) })
    expect([stale.status, ((await stale.json()) as { error: { status: string } }).error.status]).toEqual([409, 'ABORTED'])
    expect(env.emulator.pubsub.policies.get('projects/cloudfn-tests/topics/iam-check')?.bindings).toEqual(grant([agent]).bindings)
    await fetch(topic, { method: 'DELETE', headers: auth })
    expect(env.emulator.pubsub.policies.has('projects/cloudfn-tests/topics/iam-check')).toBe(false)
  })

  it('pages list results', async () => {
    env.emulator.options.maxPageSize = 2
    try {
      const cloud = env.cloudWith()
      for (const name of ['page-a', 'page-b', 'page-c']) await cloud.deploy(echo, { name })
      const page = await fetch(`${API}/functions?pageSize=50`, { headers: auth })
      const first = (await page.json()) as { functions: unknown[]; nextPageToken?: string }
      expect(first.functions).toHaveLength(2)
      expect(first.nextPageToken).toBeTruthy()
      expect((await cloud.list()).map((record) => record.name).sort()).toEqual(['page-a', 'page-b', 'page-c'])
      for (const name of ['page-a', 'page-b', 'page-c']) await cloud.remove(name)
    } finally {
      env.emulator.options.maxPageSize = 1000
    }
  })
})
