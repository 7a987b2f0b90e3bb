import { inspect } from 'node:util'
import { createCloud, withOverrides } from 'cloudfn'
import { afterAll, describe, expect, it } from 'vitest'
import { caughtError } from '../../conformance/expect.ts'
import { echo, httpThrows } from '../../conformance/fixtures/functions.ts'
import { REQUEST_RETRY_POLICY } from '../../src/retry.ts'
import { http } from '../../src/triggers/http.ts'
import { createAwsEmulator } from './emulator/index.ts'
import { aws, createAwsProvider } from './index.ts'

const region = 'eu-west-1'
// Two instances per function, so concurrency throttling is easy to reach.
const emulator = createAwsEmulator({ region, maxConcurrency: 2, stateDelayMs: 15, updateDelayMs: 15, asyncRetryDelayMs: 5 })
emulator.listen()
afterAll(() => emulator.close())
const { state, faults } = emulator

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETKEY'
const settings = { region, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET }, pollIntervalMs: 2 }
const fast = { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 6 }
const cloud = aws({ ...settings, retry: fast })
let counter = 0
const unique = (base: string) => `${base}-${++counter}`
const calls = (operation: string) => state.requestsByOperation.get(operation) ?? 0

describe('aws provider: settings and input', () => {
  it('rejects bad settings before anything is sent', () => {
    const before = state.requestCount
    expect(() => aws({ region: 'mars-1' } as never)).toThrow(/settings.region must be an AWS region/)
    expect(() => aws({ region, rgion: 'x' } as never)).toThrow(/settings.rgion is not a known option/)
    expect(() => aws({ region, role: 'my-role' })).toThrow(/settings.role must be an IAM role ARN/)
    expect(() => aws({ region, runtime: 'nodejs12.x' as never })).toThrow(/settings.runtime must be one of/)
    expect(() => aws({ region, credentials: 'AKIA-secret' as never })).toThrow(/settings.credentials must be/)
    expect(state.requestCount).toBe(before)
  })

  it('rejects bad providerOptions.aws values and unknown keys with nothing sent', async () => {
    const before = state.requestCount
    // A function URL comes from trigger: http() now; the former option is an unknown key.
    const formerUrl = withOverrides(echo, { providerOptions: { aws: { url: { auth: 'NONE' } } } })
    expect(await caughtError(cloud.deploy(formerUrl, { name: unique('opt') }))).toMatchObject({
      code: 'InvalidArgument',
      field: 'providerOptions.aws.url',
    })
    const badArch = withOverrides(echo, { providerOptions: { aws: { architecture: 'riscv' } } })
    expect(await caughtError(cloud.deploy(badArch))).toMatchObject({ field: 'providerOptions.aws.architecture' })
    const unknownKey = withOverrides(echo, { providerOptions: { aws: { vpc: {} } } })
    expect(await caughtError(cloud.deploy(unknownKey))).toMatchObject({ field: 'providerOptions.aws.vpc' })
    expect(state.requestCount).toBe(before)
  })

  it('never shows credentials in handles, errors or inspect output', async () => {
    const fn = await cloud.deploy(echo, { name: unique('secret') })
    const error = await caughtError(cloud.get(unique('missing')))
    for (const text of [JSON.stringify(fn), inspect(fn), JSON.stringify(error), inspect(error), inspect(cloud)]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE')
    }
    await fn.remove()
  })
})

describe('aws provider: deploy', () => {
  it('creates a tagged, least-privilege execution role once and deploys an Active, tagged function', async () => {
    const name = unique('role')
    const first = await cloud.deploy(echo, { name })
    const second = await cloud.deploy(echo, { name: unique('role') })
    const role = state.roles.get('cloudfn-lambda-execution')
    expect(role?.tags).toEqual([{ Key: 'cloudfn:managed', Value: 'true' }])
    expect([...(role?.attachedPolicies ?? [])]).toEqual(['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'])
    expect(calls('CreateRole')).toBe(1)
    const fn = state.functions.get(name)
    expect(fn?.state).toBe('Active')
    expect(fn?.tags['cloudfn:managed']).toBe('true')
    expect(fn?.live.config).toMatchObject({ runtime: 'nodejs22.x', handler: 'index.handler', role: role?.arn })
    expect(first.codeHash).toBe(Buffer.from(fn?.live.codeSha256 ?? '', 'base64').toString('hex'))
    await first.remove()
    await second.remove()
  })

  it('waits out a role that is not assumable yet', async () => {
    faults.inject({ on: 'CreateFunction', kind: 'role-not-assumable', times: 2 })
    const before = calls('CreateFunction')
    const fn = await cloud.deploy(echo, { name: unique('iam') })
    expect(calls('CreateFunction') - before).toBe(3)
    expect(await fn.invoke('ok')).toBe('ok')
    await fn.remove()
  })

  it('retries throttling, 5xx, resets and update conflicts on the control plane', async () => {
    const name = unique('faults')
    faults.inject({ on: 'GetFunctionConfiguration', kind: 'throttle', functionName: name, retryAfterSec: 0 })
    faults.inject({ on: 'CreateFunction', kind: 'server-error', status: 503 })
    faults.inject({ on: 'CreateFunction', kind: 'reset' })
    const fn = await cloud.deploy(echo, { name })
    expect(fn.status).toBe('created')
    faults.inject({ on: 'UpdateFunctionConfiguration', kind: 'update-in-progress', functionName: name, times: 2 })
    const before = calls('UpdateFunctionConfiguration')
    const updated = await cloud.deploy(withOverrides(echo, { memoryMb: 512 }), { name })
    expect(updated).toMatchObject({ status: 'updated', memoryMb: 512 })
    expect(calls('UpdateFunctionConfiguration') - before).toBe(3)
    expect(faults.pending).toEqual([])
    await fn.remove()
  })

  it('gives up on a control-plane fault when retries run out, as a typed error', async () => {
    const strict = createCloud(createAwsProvider(settings), { retry: { maxAttempts: 1 } })
    faults.inject({ on: 'GetFunctionConfiguration', kind: 'throttle', retryAfterSec: 2 })
    expect(await caughtError(strict.get(unique('throttled')))).toMatchObject({ code: 'Throttled', retryAfterMs: 2000 })
    // Every attempt of the one request fails: each request is retried on its own first (src/retry.ts).
    faults.inject({ on: 'GetFunctionConfiguration', kind: 'server-error', times: REQUEST_RETRY_POLICY.maxAttempts })
    expect(await caughtError(strict.get(unique('broken')))).toMatchObject({
      code: 'ProviderError',
      status: 500,
      isRetryable: true,
    })
  })

  it('sends only one request for an unchanged redeploy and updates only what changed', async () => {
    const name = unique('same')
    await cloud.deploy(echo, { name })
    const before = state.requestCount
    const again = await cloud.deploy(echo, { name })
    expect(again.status).toBe('unchanged')
    expect(state.requestCount - before).toBe(1)
    const code = calls('UpdateFunctionCode')
    await cloud.deploy(withOverrides(echo, { env: { MODE: 'x' } }), { name })
    expect(calls('UpdateFunctionCode')).toBe(code)
    await cloud.remove(name)
  })

  it('refuses to take over a function cloudfn did not deploy', async () => {
    const name = unique('foreign')
    await cloud.deploy(echo, { name })
    const fn = state.functions.get(name)
    if (fn) fn.live.config.description = 'hand-made'
    const error = await caughtError(cloud.deploy(withOverrides(echo, { memoryMb: 1024 }), { name }))
    expect(error).toMatchObject({ code: 'Conflict', isRetryable: false })
    expect(error.message).toMatch(/not deployed by cloudfn/)
    expect(await cloud.list()).not.toContainEqual(expect.objectContaining({ name }))
    await cloud.remove(name)
  })

  it('exposes a function URL for an HTTP trigger, follows its auth, and removes it when the trigger goes', async () => {
    const name = unique('url')
    const fn = await cloud.deploy(httpThrows, { name })
    expect(fn.url).toMatch(new RegExp(`^https://[0-9a-f]{32}\\.lambda-url\\.${region}\\.on\\.aws/$`))
    const emulated = state.functions.get(name)
    expect(emulated?.url?.authType).toBe('NONE')
    expect([...(emulated?.policy.keys() ?? [])]).toEqual(['cloudfn-url-public', 'cloudfn-url-public-invoke'])
    expect(await cloud.get(name)).toMatchObject({ url: fn.url, trigger: { kind: 'http', auth: 'public' } })
    const iam = await cloud.deploy(withOverrides(httpThrows, { trigger: http({ auth: 'iam' }) }), { name })
    expect(iam.url).toBe(fn.url)
    expect(state.functions.get(name)?.url?.authType).toBe('AWS_IAM')
    // An IAM URL keeps no statement that lets anyone call it.
    expect(state.functions.get(name)?.policy.size).toBe(0)
    const none = await cloud.deploy(echo, { name })
    expect(none.url).toBeUndefined()
    expect(state.functions.get(name)?.url).toBeUndefined()
    // Going from a public URL to none leaves no statement behind either.
    await cloud.deploy(httpThrows, { name })
    expect(state.functions.get(name)?.policy.size).toBe(2)
    await cloud.deploy(echo, { name })
    expect(state.functions.get(name)?.url).toBeUndefined()
    expect(state.functions.get(name)?.policy.size).toBe(0)
    await cloud.remove(name)
  })

  it('removes the function and its log group; removing again is not an error', async () => {
    const name = unique('rm')
    const fn = await cloud.deploy(echo, { name })
    await fn.invoke(1)
    expect(state.logGroups.has(`/aws/lambda/${name}`)).toBe(true)
    expect(await fn.remove()).toEqual({ removed: true })
    expect(state.logGroups.has(`/aws/lambda/${name}`)).toBe(false)
    expect(await fn.remove()).toEqual({ removed: false })
  })
})
