/**
 * The bad-input catalogue: invalid inputs across the public API, each
 * rejected with `InvalidArgumentError` naming the field (or
 * `PayloadTooLargeError` for size) on the local fake and on every emulated
 * cloud, with the backend's own request counter proving nothing was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rejectedBeforeSending } from '../../conformance/expect.ts'
import { echo } from '../../conformance/fixtures/functions.ts'
import type { ConformanceTarget, TargetSession } from '../../conformance/scenario.ts'
import { writeFigures } from '../../conformance/targets/faulty.ts'
import { awsEmulatedTarget } from '../../providers/aws/conformance/emulated-target.ts'
import { aws } from '../../providers/aws/index.ts'
import { azureEmulatedTarget } from '../../providers/azure/conformance/emulated-target.ts'
import { azure } from '../../providers/azure/index.ts'
import { gcpEmulatedTarget } from '../../providers/gcp/conformance/emulated-target.ts'
import { gcp } from '../../providers/gcp/index.ts'
import { localTarget } from '../../providers/local/conformance/target.ts'
import { local } from '../../providers/local/index.ts'
import type { FunctionHandle } from '../../src/handle.ts'
import { defineFunction, http, type ProviderCapabilities, queue, schedule, withOverrides } from '../../src/index.ts'

interface Env {
  session: TargetSession
  fn: FunctionHandle
  caps: Readonly<ProviderCapabilities>
  /** The provider's name, the key of its `providerOptions`. */
  provider: string
}

interface BadInput {
  /** The field the error must name (absent for PayloadTooLarge, which names sizes). */
  field?: string
  what: string
  run(env: Env): unknown
  /** Whether the case applies to this provider (capabilities differ). */
  applies?(env: Env): boolean
  code?: 'InvalidArgument' | 'PayloadTooLarge'
  /** A defect this catalogue found and that is not fixed yet: the case is expected to fail until it is. */
  knownDefect?: string
}

const handler = () => 1
const cycle: Record<string, unknown> = { a: 1 }
cycle.self = cycle

/** Invalid inputs that every backend must reject the same way. */
const COMMON: BadInput[] = [
  // defineFunction: names against the portable rules (the intersection of every cloud's)
  { field: 'name', what: 'a space and capitals', run: () => defineFunction({ name: 'Bad Name', handler }) },
  { field: 'name', what: 'empty', run: () => defineFunction({ name: '', handler }) },
  { field: 'name', what: '41 characters', run: () => defineFunction({ name: 'a'.repeat(41), handler }) },
  { field: 'name', what: 'ending with a hyphen', run: () => defineFunction({ name: 'abc-', handler }) },
  {
    field: 'name',
    what: 'an underscore (AWS allows it, GCP and Azure do not)',
    run: () => defineFunction({ name: 'a_b', handler }),
  },
  { field: 'name', what: 'starting with a digit', run: () => defineFunction({ name: '1abc', handler }) },
  { field: 'handler', what: 'missing', run: () => defineFunction({ name: 'ok' } as never) },
  { field: 'memoryMb', what: 'below 128', run: () => defineFunction({ name: 'ok', handler, memoryMb: 64 }) },
  { field: 'memoryMb', what: 'above 10240', run: () => defineFunction({ name: 'ok', handler, memoryMb: 10241 }) },
  { field: 'memoryMb', what: 'a string', run: () => defineFunction({ name: 'ok', handler, memoryMb: '512' as never }) },
  { field: 'timeoutSec', what: 'zero', run: () => defineFunction({ name: 'ok', handler, timeoutSec: 0 }) },
  { field: 'timeoutSec', what: 'fractional', run: () => defineFunction({ name: 'ok', handler, timeoutSec: 1.5 }) },
  { field: 'timeoutSec', what: 'NaN', run: () => defineFunction({ name: 'ok', handler, timeoutSec: Number.NaN }) },
  {
    field: 'env.1BAD',
    what: 'a key starting with a digit',
    run: () => defineFunction({ name: 'ok', handler, env: { '1BAD': 'x' } }),
  },
  {
    field: 'env.MY-VAR',
    what: 'a key with a hyphen',
    run: () => defineFunction({ name: 'ok', handler, env: { 'MY-VAR': 'x' } }),
  },
  { field: 'env.AWS_REGION', what: 'reserved on Lambda', run: () => withOverrides(echo, { env: { AWS_REGION: 'x' } }) },
  {
    field: 'env.LAMBDA_TASK_ROOT',
    what: 'reserved on Lambda',
    run: () => withOverrides(echo, { env: { LAMBDA_TASK_ROOT: 'x' } }),
  },
  { field: 'env.K_SERVICE', what: 'reserved on Cloud Run', run: () => withOverrides(echo, { env: { K_SERVICE: 'x' } }) },
  {
    field: 'env.GOOGLE_CLOUD_PROJECT',
    what: 'reserved on GCP',
    run: () => withOverrides(echo, { env: { GOOGLE_CLOUD_PROJECT: 'x' } }),
  },
  { field: 'env.FUNCTION_TARGET', what: 'reserved on GCF', run: () => withOverrides(echo, { env: { FUNCTION_TARGET: 'x' } }) },
  {
    field: 'env.WEBSITE_SITE_NAME',
    what: 'reserved on Azure',
    run: () => withOverrides(echo, { env: { WEBSITE_SITE_NAME: 'x' } }),
  },
  {
    field: 'env.FUNCTIONS_WORKER_RUNTIME',
    what: 'reserved on Azure',
    run: () => withOverrides(echo, { env: { FUNCTIONS_WORKER_RUNTIME: 'x' } }),
  },
  {
    field: 'env.AzureWebJobsStorage',
    what: 'reserved on Azure, any case',
    run: () => withOverrides(echo, { env: { AzureWebJobsStorage: 'x' } }),
  },
  { field: 'env.PORT', what: 'reserved by the runtimes', run: () => withOverrides(echo, { env: { PORT: '8080' } }) },
  { field: 'env.NODE_OPTIONS', what: 'reserved', run: () => withOverrides(echo, { env: { NODE_OPTIONS: '--inspect' } }) },
  { field: 'env.CLOUDFN_X', what: "cloudfn's own prefix", run: () => withOverrides(echo, { env: { CLOUDFN_X: 'x' } }) },
  { field: 'env.COUNT', what: 'a number value', run: () => withOverrides(echo, { env: { COUNT: 3 as never } }) },
  { field: 'env', what: 'over 4 KB in total', run: () => withOverrides(echo, { env: { BIG: 'x'.repeat(4097) } }) },
  { field: 'env', what: 'an array', run: () => withOverrides(echo, { env: ['A'] as never }) },
  { field: 'memoryTypo', what: 'an unknown option', run: () => defineFunction({ name: 'ok', handler, memoryTypo: 1 } as never) },
  {
    field: 'providerOptions.aws',
    what: 'not an object',
    run: () => defineFunction({ name: 'ok', handler, providerOptions: { aws: 1 as never } }),
  },
  { field: 'entry', what: 'an empty module path', run: () => defineFunction({ name: 'ok', handler, entry: '' }) },
  // withOverrides
  { field: 'overrides.handler', what: 'overriding the handler', run: () => withOverrides(echo, { handler } as never) },
  { field: 'overrides.nme', what: 'a misspelt key', run: () => withOverrides(echo, { nme: 'x' } as never) },
  { field: 'overrides', what: 'not an object', run: () => withOverrides(echo, null as never) },
  // cloud.deploy and its options, against the portable rules and the provider's capabilities
  { field: 'definition', what: 'a plain object', run: ({ session }) => session.cloud.deploy({ name: 'echo' } as never) },
  { field: 'options.name', what: 'capitals', run: ({ session }) => session.cloud.deploy(echo, { name: 'Echo' }) },
  { field: 'options.nme', what: 'a misspelt option', run: ({ session }) => session.cloud.deploy(echo, { nme: 'x' } as never) },
  {
    field: 'options.signal',
    what: 'not an AbortSignal',
    run: ({ session }) => session.cloud.deploy(echo, { signal: {} as never }),
  },
  {
    field: 'options.onProgress',
    what: 'not a function',
    run: ({ session }) => session.cloud.deploy(echo, { onProgress: 'x' as never }),
  },
  {
    field: 'timeoutSec',
    what: "above the provider's maximum",
    applies: ({ caps }) => caps.timeoutSec.max < 3600,
    run: ({ session, caps }) => session.cloud.deploy(withOverrides(echo, { timeoutSec: caps.timeoutSec.max + 1 })),
  },
  {
    field: 'memoryMb',
    what: "above the provider's maximum",
    applies: ({ caps }) => caps.memoryMb.max < 10240,
    run: ({ session, caps }) => session.cloud.deploy(withOverrides(echo, { memoryMb: caps.memoryMb.max + 1 })),
  },
  {
    field: 'providerOptions.<provider>.colour',
    what: "an option the provider doesn't know",
    run: ({ session, provider }) =>
      session.cloud.deploy(withOverrides(echo, { providerOptions: { [provider]: { colour: 'red' } } })),
  },
  // get, list, remove
  { field: 'name', what: 'get of an invalid name', run: ({ session }) => session.cloud.get('Bad Name') },
  { field: 'target', what: 'remove of a number', run: ({ session }) => session.cloud.remove(42 as never) },
  {
    field: 'options.force',
    what: 'remove with an unknown option',
    run: ({ session }) => session.cloud.remove('echo', { force: true } as never),
  },
  { field: 'options.page', what: 'list with an unknown option', run: ({ session }) => session.cloud.list({ page: 2 } as never) },
  // invoke: non-JSON payloads, named by their path
  { field: 'input', what: 'a BigInt', run: ({ fn }) => fn.invoke(1n) },
  { field: 'input', what: 'a symbol', run: ({ fn }) => fn.invoke(Symbol('s')) },
  { field: 'input', what: 'a Map', run: ({ fn }) => fn.invoke(new Map([[1, 2]])) },
  { field: 'input.tags', what: 'a Set inside', run: ({ fn }) => fn.invoke({ tags: new Set(['a']) }) },
  { field: 'input.callback', what: 'a function inside', run: ({ fn }) => fn.invoke({ callback: () => 1 }) },
  {
    field: 'input.items[1].id',
    what: 'a BigInt deep in an array',
    run: ({ fn }) => fn.invoke({ items: [{ id: 1 }, { id: 2n }] }),
  },
  { field: 'input.self', what: 'a cycle', run: ({ fn }) => fn.invoke(cycle) },
  { field: 'options.timeout', what: 'an unknown invoke option', run: ({ fn }) => fn.invoke(1, { timeout: 5 } as never) },
  { field: 'options', what: 'invoke options that are a string', run: ({ fn }) => fn.invoke(1, 'fast' as never) },
  {
    field: 'options.signal',
    what: 'an invoke signal that is not an AbortSignal',
    run: ({ fn }) => fn.invoke(1, { signal: true as never }),
  },
  {
    field: 'options.tail',
    what: 'an unknown invokeDetailed option',
    run: ({ fn }) => fn.invokeDetailed(1, { tail: true } as never),
  },
  {
    code: 'PayloadTooLarge',
    what: "an input one byte over the provider's request limit",
    // A JSON string of n characters is n + 2 bytes.
    run: ({ fn, caps }) => fn.invoke('x'.repeat(caps.maxRequestBytes - 1)),
  },
  {
    field: 'input',
    what: 'invokeAsync of a BigInt',
    applies: ({ caps }) => caps.asyncInvoke,
    run: ({ fn }) => fn.invokeAsync(1n),
  },
  { field: 'options.delay', what: 'an unknown invokeAsync option', run: ({ fn }) => fn.invokeAsync(1, { delay: 1 } as never) },
  {
    code: 'PayloadTooLarge',
    what: 'an invokeAsync input over the async limit',
    applies: ({ caps }) => caps.asyncInvoke,
    run: ({ fn, caps }) => fn.invokeAsync('x'.repeat(caps.maxAsyncRequestBytes - 1)),
  },
  // map and logs options
  { field: 'inputs', what: 'map of a number', run: ({ fn }) => fn.map(42 as never) },
  { field: 'options.concurrency', what: 'zero concurrency', run: ({ fn }) => fn.map([1], { concurrency: 0 }) },
  { field: 'options.concurrency', what: 'concurrency over 1000', run: ({ fn }) => fn.map([1], { concurrency: 1001 }) },
  {
    field: 'options.onProgress',
    what: 'a progress callback that is not a function',
    run: ({ fn }) => fn.map([1], { onProgress: 1 as never }),
  },
  { field: 'options.batch', what: 'an unknown map option', run: ({ fn }) => fn.map([1], { batch: 5 } as never) },
  { field: 'options.lmit', what: 'a misspelt logs option', run: ({ fn }) => fn.logs({ lmit: 5 } as never) },
  { field: 'options.limit', what: 'a zero logs limit', applies: ({ caps }) => caps.logs, run: ({ fn }) => fn.logs({ limit: 0 }) },
  {
    field: 'options.since',
    what: 'a logs start that is no time',
    applies: ({ caps }) => caps.logs,
    run: ({ fn }) => fn.logs({ since: 'yesterday' }),
  },
  // triggers: built and checked before any deploy
  {
    field: 'trigger',
    what: 'a hand-made trigger object',
    run: () => defineFunction({ name: 'ok', handler, trigger: { kind: 'queue' } as never }),
  },
  { field: 'trigger.auth', what: 'an unknown HTTP auth', run: () => http({ auth: 'anyone' as never }) },
  { field: 'trigger.methods[1]', what: 'an unknown HTTP method', run: () => http({ methods: ['GET', 'FETCH' as never] }) },
  { field: 'trigger.methods', what: 'no HTTP methods', run: () => http({ methods: [] }) },
  { field: 'trigger.cors', what: 'an unknown HTTP option', run: () => http({ cors: true } as never) },
  { field: 'trigger.schedule', what: 'a cron minute of 60', run: () => schedule('60 * * * *') },
  { field: 'trigger.schedule', what: 'a 6-field (seconds) cron', run: () => schedule('0 0 9 * * *') },
  { field: 'trigger.schedule', what: "AWS's ? wildcard", run: () => schedule('0 9 ? * MON') },
  { field: 'trigger.schedule', what: 'both day fields restricted', run: () => schedule('0 9 1 * MON') },
  { field: 'trigger.schedule', what: 'a backwards range', run: () => schedule('0 17-9 * * *') },
  { field: 'trigger.schedule', what: 'a rate that is not a divisor of an hour', run: () => schedule('rate(7 minutes)') },
  { field: 'trigger.schedule', what: 'a rate in seconds', run: () => schedule('rate(30 seconds)') },
  { field: 'trigger.timezone', what: 'an unknown time zone', run: () => schedule('0 9 * * *', { timezone: 'Paris' }) },
  { field: 'trigger.batchSize', what: 'a batch of 11', run: () => queue({ batchSize: 11 }) },
  { field: 'trigger.maxRetries', what: 'negative retries', run: () => queue({ maxRetries: -1 }) },
  { field: 'trigger.name', what: 'a queue name with capitals', run: () => queue({ name: 'Orders' }) },
  { field: 'trigger.deadLetter', what: 'a dead-letter name with a slash', run: () => queue({ deadLetter: 'a/b' }) },
  {
    field: 'overrides.trigger',
    what: 'turning a JSON function into an HTTP one',
    run: () => withOverrides(echo, { trigger: http() }),
  },
  { field: 'input', what: 'fetch of a number', run: ({ fn }) => fn.fetch(42 as never) },
  { field: 'message', what: 'send of a BigInt', run: ({ fn }) => fn.send(1n) },
  { field: 'options.delay', what: 'an unknown send option', run: ({ fn }) => fn.send(1, { delay: 5 } as never) },
]

/** The Azure provider checks maximumInstanceCount inside its deploy, after looking up the app (8 requests). */

const GUID = '00000000-0000-4000-8000-000000000000'

/** Settings of each factory and values of `providerOptions.<cloud>` that the provider rejects. */
const PER_PROVIDER: Record<string, BadInput[]> = {
  local: [
    { field: 'settings.isolation', what: 'an unknown isolation', run: () => local({ isolation: 'thread' as never }) },
    { field: 'settings.maxInstances', what: 'zero instances', run: () => local({ maxInstances: 0 }) },
    { field: 'settings.persistDir', what: 'persisting inline handlers', run: () => local({ persistDir: '/tmp/never' }) },
    { field: 'settings.region', what: 'a setting of another provider', run: () => local({ region: 'eu-west-1' } as never) },
  ],
  aws: [
    { field: 'settings.region', what: 'missing', run: () => aws({} as never) },
    { field: 'settings.region', what: 'a display name', run: () => aws({ region: 'Ireland' }) },
    { field: 'settings.role', what: 'not an ARN', run: () => aws({ region: 'eu-west-1', role: 'admin' }) },
    {
      field: 'settings.runtime',
      what: 'a retired runtime',
      run: () => aws({ region: 'eu-west-1', runtime: 'nodejs16.x' as never }),
    },
    { field: 'settings.pollIntervalMs', what: 'negative', run: () => aws({ region: 'eu-west-1', pollIntervalMs: -1 }) },
    { field: 'settings.profile', what: 'an unknown setting', run: () => aws({ region: 'eu-west-1', profile: 'dev' } as never) },
    {
      field: 'providerOptions.aws.url',
      what: 'the removed URL option (use trigger: http())',
      run: ({ session }) => deployWith(session, { aws: { url: { auth: 'NONE' } } }),
    },
    {
      field: 'providerOptions.aws.architecture',
      what: 'an unknown architecture',
      run: ({ session }) => deployWith(session, { aws: { architecture: 'mips' } }),
    },
    {
      field: 'providerOptions.aws.role',
      what: 'a role that is not an ARN',
      run: ({ session }) => deployWith(session, { aws: { role: 'admin' } }),
    },
  ],
  gcp: [
    { field: 'settings.project', what: 'capitals', run: () => gcp({ project: 'My-Project', region: 'europe-west1' }) },
    { field: 'settings.region', what: 'not a region', run: () => gcp({ project: 'my-project', region: 'Europe' }) },
    {
      field: 'settings.authClient',
      what: 'not an AuthClient',
      run: () => gcp({ project: 'my-project', region: 'europe-west1', authClient: {} as never }),
    },
    {
      field: 'settings.idTokenProvider',
      what: 'not a function',
      run: () => gcp({ project: 'my-project', region: 'europe-west1', idTokenProvider: 'x' as never }),
    },
    {
      field: 'settings.keyFile',
      what: 'an unknown setting',
      run: () => gcp({ project: 'my-project', region: 'europe-west1', keyFile: 'k.json' } as never),
    },
    {
      field: 'providerOptions.gcp.maxInstances',
      what: 'zero',
      run: ({ session }) => deployWith(session, { gcp: { maxInstances: 0 } }),
    },
    {
      field: 'providerOptions.gcp.minInstances',
      what: 'above maxInstances',
      run: ({ session }) => deployWith(session, { gcp: { maxInstances: 2, minInstances: 3 } }),
    },
    {
      field: 'providerOptions.gcp.serviceAccountEmail',
      what: 'not an e-mail',
      run: ({ session }) => deployWith(session, { gcp: { serviceAccountEmail: 'robot' } }),
    },
  ],
  azure: [
    {
      field: 'settings.subscriptionId',
      what: 'not a GUID',
      run: () => azure({ subscriptionId: 'abc', resourceGroup: 'rg', location: 'westeurope' }),
    },
    {
      field: 'settings.resourceGroup',
      what: 'a slash',
      run: () => azure({ subscriptionId: GUID, resourceGroup: 'a/b', location: 'westeurope' }),
    },
    {
      field: 'settings.location',
      what: 'a display name',
      run: () => azure({ subscriptionId: GUID, resourceGroup: 'rg', location: 'West Europe' }),
    },
    {
      field: 'settings.credential',
      what: 'not a TokenCredential',
      run: () => azure({ subscriptionId: GUID, resourceGroup: 'rg', location: 'westeurope', credential: {} as never }),
    },
    {
      field: 'settings.tenantId',
      what: 'an unknown setting',
      run: () => azure({ subscriptionId: GUID, resourceGroup: 'rg', location: 'westeurope', tenantId: GUID } as never),
    },
    {
      field: 'providerOptions.azure.maximumInstanceCount',
      what: 'zero',
      run: ({ session }) => deployWith(session, { azure: { maximumInstanceCount: 0 } }),
    },
    {
      field: 'providerOptions.azure.maximumInstanceCount',
      what: 'fractional',
      run: ({ session }) => deployWith(session, { azure: { maximumInstanceCount: 1.5 } }),
    },
  ],
}

function deployWith(session: TargetSession, providerOptions: Record<string, Record<string, unknown>>) {
  return session.cloud.deploy(withOverrides(echo, { providerOptions }))
}

const TARGETS: ConformanceTarget[] = [localTarget('inline'), awsEmulatedTarget(), gcpEmulatedTarget(), azureEmulatedTarget()]
const rejected: Record<string, number> = {}

for (const target of TARGETS) {
  describe(`bad input: ${target.name}`, () => {
    let env: Env
    beforeAll(async () => {
      const session = await target.setup()
      const fn = await session.cloud.deploy(echo, { name: 'bad-input-echo' })
      env = { session, fn: fn as FunctionHandle, caps: session.cloud.capabilities, provider: session.cloud.provider }
    })
    afterAll(async () => {
      await env?.fn.remove()
      await env?.session.teardown()
    })

    const provider = target.name.split('-')[0] as string
    for (const input of [...COMMON, ...(PER_PROVIDER[provider] ?? [])]) {
      const test = input.knownDefect ? it.fails : it
      test(`${input.field ?? input.code}: ${input.what}${input.knownDefect ? ` (known defect: ${input.knownDefect})` : ''}`, async (context) => {
        if (input.applies && !input.applies(env)) context.skip(`not applicable on ${env.provider}`)
        const code = input.code ?? 'InvalidArgument'
        const error = await rejectedBeforeSending(env.session.probe, async () => input.run(env), code)
        const field = input.field?.replace('<provider>', env.provider)
        if (field) {
          expect((error as { field?: string }).field).toBe(field)
          expect(error.message).toContain(field)
        } else {
          expect(error.message).toMatch(/\d+ bytes/)
        }
        rejected[target.name] = (rejected[target.name] ?? 0) + 1
      })
    }
  })
}

afterAll(() => writeFigures('bad-input', { rejected, total: Object.values(rejected).reduce((a, b) => a + b, 0) }))
