import { createHash } from 'node:crypto'
import { CostLedger, type SnapshotOptions } from './cost/index.ts'
import type { CostSnapshot } from './cost/types.ts'
import { type FunctionDefinition, isFunctionDefinition } from './define.ts'
import { NotFoundError } from './errors/not-found.ts'
import { UnsupportedError } from './errors/unsupported.ts'
import {
  checkSnapshotOptions,
  controlPlane,
  createHandle,
  type FunctionHandle,
  type HandleContext,
  type HandleFor,
  removeFunction,
} from './handle.ts'
import { assertSupportedNode } from './node-version.ts'
import { packageFunction } from './package/index.ts'
import type { DeployPlan } from './plan.ts'
import { validateName } from './portable-rules.ts'
import type { DeployStep, FunctionRecord, GcResult, PlanRequest, Provider, ProviderCapabilities, Warning } from './provider.ts'
import { checkRequiredPackages } from './required-packages.ts'
import type { RetryPolicy } from './retry.ts'
import { throwIfAborted } from './retry.ts'
import { checkScaleSupport, type ScaleSettings, scaleHashPart } from './scale.ts'
import { checkTriggerNames, checkTriggerSupport } from './triggers/check.ts'
import { createTopicPublisher, type TopicPublisher } from './triggers/topic-publisher.ts'
import type { Trigger } from './triggers/types.ts'
import { describeValue, expectInteger, expectKnownKeys, expectPlainObject, expectSignal, fail } from './validation.ts'

// Every entry point that makes a cloud loads this module: fail here, with the requirement, on an old Node.
assertSupportedNode()

export interface CloudSettings {
  /** Backoff for retried calls (see retry.ts). */
  retry?: Partial<RetryPolicy>
}

export interface DeployOptions {
  /** Deploy under another name than the definition's. */
  name?: string
  signal?: AbortSignal
  /** Called as the deploy moves through its steps. */
  onProgress?: (step: DeployStep) => void
}

export interface PlanOptions {
  /** Plan a deploy under another name than the definition's. */
  name?: string
  signal?: AbortSignal
}

export interface GcCallOptions {
  /** Only what was last changed at least this long ago (0: everything cloudfn tagged). */
  olderThanMs: number
  /** Report what would be removed, remove nothing (default false). */
  dryRun?: boolean
  signal?: AbortSignal
}

type AnyDefinition = FunctionDefinition<never, unknown>

/** The neutral API over one provider: what `local()`, `aws()`, ... return. */
export interface Cloud {
  readonly provider: string
  readonly capabilities: Readonly<ProviderCapabilities>
  /** Creates or updates the function (idempotent) and waits until it is ready. */
  deploy<I, O, T extends Trigger | undefined = Trigger | undefined>(
    definition: FunctionDefinition<I, O, T>,
    options?: DeployOptions,
  ): Promise<HandleFor<I, Awaited<O>, T>>
  /** Handle of a deployed function; `NotFoundError` when there is none. Pass the definition for typed methods. */
  get<I, O, T extends Trigger | undefined = Trigger | undefined>(
    target: FunctionDefinition<I, O, T>,
    options?: { signal?: AbortSignal },
  ): Promise<HandleFor<I, Awaited<O>, T>>
  get<I = unknown, O = unknown>(
    target: string | FunctionDefinition<I, O>,
    options?: { signal?: AbortSignal },
  ): Promise<FunctionHandle<I, Awaited<O>>>
  /**
   * What `deploy(definition, options)` would change on the cloud, from read
   * calls only: nothing is created, changed or deleted. Empty `changes` when
   * the deploy would leave everything as it is. `UnsupportedError` where the
   * provider cannot plan (`capabilities.plan` false).
   */
  plan(definition: FunctionDefinition<never, unknown>, options?: PlanOptions): Promise<DeployPlan>
  list(options?: { signal?: AbortSignal }): Promise<FunctionRecord[]>
  /** Removing a function that does not exist is not an error. */
  remove(target: string | FunctionDefinition<never, unknown>, options?: { signal?: AbortSignal }): Promise<{ removed: boolean }>
  /**
   * Removes cloudfn's functions older than `olderThanMs` and what crashed
   * deploys or removes left behind; `UnsupportedError` on providers without it.
   */
  gc(options: GcCallOptions): Promise<GcResult>
  /** What every execution run through this cloud's handles cost so far (see `FunctionHandle.costSnapshot`). */
  costSnapshot(options?: SnapshotOptions): CostSnapshot
  /** Publishes to a topic from code that is not a function (`cloud.topic('orders').publish(message)`). */
  topic<M = unknown>(name: string): TopicPublisher<M>
}

function checkOptions(options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {}
  const checked = expectPlainObject(options, 'options')
  expectKnownKeys(checked, allowed, 'options')
  expectSignal(checked.signal, 'options.signal')
  return checked
}

function targetName(target: unknown): string {
  if (isFunctionDefinition(target)) return target.name
  if (typeof target === 'string') return validateName(target, 'name')
  return fail('target', `must be a function name or a definition from defineFunction (got ${describeValue(target)})`)
}

function configHash(request: {
  memoryMb: number
  timeoutSec: number
  scale: Readonly<ScaleSettings>
  env: Readonly<Record<string, string>>
  providerOptions: unknown
  trigger: unknown
}): string {
  const env = Object.fromEntries(Object.entries(request.env).sort(([a], [b]) => (a < b ? -1 : 1)))
  return (
    createHash('sha256')
      // Functions without a trigger keep the hash they had before triggers existed.
      .update(
        JSON.stringify([
          request.memoryMb,
          request.timeoutSec,
          env,
          request.providerOptions,
          ...(request.trigger ? [request.trigger] : []),
          ...scaleHashPart(request.scale),
        ]),
      )
      .digest('hex')
  )
}

function checkAgainstCapabilities(definition: AnyDefinition, provider: Provider): void {
  const { memoryMb, timeoutSec } = provider.capabilities
  expectInteger(definition.memoryMb, 'memoryMb', memoryMb.min, memoryMb.max, ` MB on ${provider.name}`)
  expectInteger(definition.timeoutSec, 'timeoutSec', timeoutSec.min, timeoutSec.max, ` seconds on ${provider.name}`)
  const own = definition.providerOptions[provider.name]
  if (own) expectKnownKeys(own, provider.providerOptionKeys, `providerOptions.${provider.name}`)
  if (definition.trigger) checkTriggerSupport(definition.trigger, provider.capabilities.triggers, provider.name)
}

/** Bounds of a retry policy: NaN or a negative count would retry for ever or never. */
const RETRY_BOUNDS: Record<keyof RetryPolicy, { min: number; max: number; unit: string }> = {
  maxAttempts: { min: 1, max: 100, unit: '' },
  baseDelayMs: { min: 0, max: 600_000, unit: ' ms' },
  maxDelayMs: { min: 0, max: 3_600_000, unit: ' ms' },
}

export function checkRetryPolicy(value: unknown, field: string): Partial<RetryPolicy> | undefined {
  if (value === undefined) return undefined
  const policy = expectPlainObject(value, field)
  expectKnownKeys(policy, Object.keys(RETRY_BOUNDS), field)
  for (const [key, { min, max, unit }] of Object.entries(RETRY_BOUNDS)) {
    if (policy[key] !== undefined) expectInteger(policy[key], `${field}.${key}`, min, max, unit)
  }
  return { ...(policy as Partial<RetryPolicy>) }
}

/**
 * What deploy and plan share: the definition checked against the portable
 * rules and the provider's capabilities, packaged, and hashed; nothing is
 * sent. Plan and deploy compare the same request with the cloud, so they
 * cannot disagree on what is unchanged.
 */
async function prepareRequest(
  provider: Provider,
  definition: AnyDefinition,
  checked: Record<string, unknown>,
  onStep: ((step: DeployStep) => void) | undefined,
): Promise<{ request: PlanRequest; warnings: Warning[] }> {
  if (!isFunctionDefinition(definition)) fail('definition', 'must be the result of defineFunction()')
  const signal = checked.signal as AbortSignal | undefined
  const name = checked.name === undefined ? definition.name : validateName(checked.name, 'options.name')
  onStep?.('validate')
  checkAgainstCapabilities(definition, provider)
  // Out of range: InvalidArgument; not honoured: a warning, and the provider is not asked for it.
  const warnings = checkScaleSupport(definition, provider.capabilities.scale, provider.name)
  const scale: ScaleSettings = {
    maxInstances: provider.capabilities.scale?.maxInstances ? definition.maxInstances : undefined,
    minInstances: provider.capabilities.scale?.minInstances ? definition.minInstances : undefined,
  }
  if (definition.trigger) checkTriggerNames(definition.trigger, name)
  checkRequiredPackages(provider.name, provider.requiredPackages?.({ trigger: definition.trigger }) ?? [])
  throwIfAborted(signal)
  const providerOptions = definition.providerOptions[provider.name] ?? {}
  let artifact: Awaited<ReturnType<typeof packageFunction>> | undefined
  if (provider.packaging) {
    onStep?.('package')
    artifact = await packageFunction(definition, provider.packaging)
  }
  const request = {
    name,
    memoryMb: definition.memoryMb,
    timeoutSec: definition.timeoutSec,
    scale,
    env: definition.env,
    providerOptions,
    trigger: definition.trigger,
    artifact,
    definition,
  }
  return { request: { ...request, configHash: configHash(request) }, warnings }
}

/** Wraps any Provider in the neutral API: validation, packaging, retries and error mapping live here, once. */
export function createCloud(provider: Provider, settings: CloudSettings = {}): Cloud {
  expectKnownKeys(expectPlainObject(settings, 'settings'), ['retry'], 'settings')
  const ledger = new CostLedger()
  const context: HandleContext = { provider, retry: checkRetryPolicy(settings.retry, 'settings.retry'), ledger }

  return {
    provider: provider.name,
    // Whether it can plan follows from the spec's optional method, so it cannot claim what it lacks.
    capabilities: Object.freeze({ ...provider.capabilities, plan: typeof provider.doPlan === 'function' }),

    // The handle's type follows the trigger's type (`HandleFor`); at run time
    // every handle has every method, and the ones a trigger lacks throw.
    deploy: (async (definition: AnyDefinition, options?: DeployOptions): Promise<FunctionHandle> => {
      const checked = checkOptions(options, ['name', 'signal', 'onProgress'])
      const signal = checked.signal as AbortSignal | undefined
      const onStep = checked.onProgress as DeployOptions['onProgress']
      if (onStep !== undefined && typeof onStep !== 'function') fail('options.onProgress', 'must be a function')
      const { request, warnings: scaleWarnings } = await prepareRequest(provider, definition, checked, onStep)
      // The first change any attempt reports is what this deploy did, even if a
      // retried attempt then finds the work done and answers 'unchanged'.
      let changed: 'created' | 'updated' | undefined
      const response = await controlPlane(
        context,
        'deploy',
        () =>
          provider.doDeploy(
            {
              ...request,
              onStep: (step: DeployStep) => {
                if (step === 'create' || step === 'update') changed ??= step === 'create' ? 'created' : 'updated'
                onStep?.(step)
              },
            },
            { signal },
          ),
        signal,
      )
      onStep?.('done')
      const warnings = [...scaleWarnings, ...response.warnings]
      return createHandle(context, response.record, { status: changed ?? response.status, warnings })
    }) as Cloud['deploy'],

    async plan(definition, options) {
      const checked = checkOptions(options, ['name', 'signal'])
      const signal = checked.signal as AbortSignal | undefined
      if (!provider.doPlan) {
        throw new UnsupportedError({
          provider: provider.name,
          capability: 'plan',
          message: `${provider.name} cannot plan a deploy (its provider has no doPlan); deploy shows what changed in its status`,
        })
      }
      const doPlan = provider.doPlan.bind(provider)
      const { request, warnings } = await prepareRequest(provider, definition, checked, undefined)
      // Only reads: retried like any other control-plane call.
      const planned = await controlPlane(context, 'plan', () => doPlan(request, { signal }), signal)
      return {
        name: request.name,
        provider: provider.name,
        changes: planned.changes,
        warnings: [...warnings, ...planned.warnings],
      }
    },

    get: (async (target: string | AnyDefinition, options?: { signal?: AbortSignal }): Promise<FunctionHandle> => {
      const name = targetName(target)
      const signal = checkOptions(options, ['signal']).signal as AbortSignal | undefined
      const record = await controlPlane(context, 'get', () => provider.doGet(name, { signal }), signal)
      if (!record) {
        throw new NotFoundError({
          provider: provider.name,
          resource: name,
          message: `Function '${name}' is not deployed on ${provider.name}; deploy it first`,
        })
      }
      return createHandle(context, record)
    }) as Cloud['get'],

    list(options) {
      const signal = checkOptions(options, ['signal']).signal as AbortSignal | undefined
      return controlPlane(context, 'list', () => provider.doList({ signal }), signal)
    },

    remove(target, options) {
      const name = targetName(target)
      return removeFunction(context, name, checkOptions(options, ['signal']).signal as AbortSignal | undefined)
    },

    async gc(options) {
      const checked = checkOptions(expectPlainObject(options, 'options'), ['olderThanMs', 'dryRun', 'signal'])
      const olderThanMs = expectInteger(checked.olderThanMs, 'options.olderThanMs', 0, Number.MAX_SAFE_INTEGER, ' ms')
      if (checked.dryRun !== undefined && typeof checked.dryRun !== 'boolean') {
        fail('options.dryRun', `must be a boolean (got ${describeValue(checked.dryRun)})`)
      }
      const signal = checked.signal as AbortSignal | undefined
      if (!provider.doGc) {
        throw new UnsupportedError({
          provider: provider.name,
          capability: 'gc',
          message: `${provider.name} does not support gc; remove functions with remove()`,
        })
      }
      const doGc = provider.doGc.bind(provider)
      // A provider's gc lists before it removes, so a retried attempt starts from what is left.
      return controlPlane(context, 'gc', () => doGc({ olderThanMs, dryRun: checked.dryRun === true }, { signal }), signal)
    },

    costSnapshot: (options) => ledger.snapshot(checkSnapshotOptions(options)),
    topic: (name) => createTopicPublisher(context, name),
  }
}
