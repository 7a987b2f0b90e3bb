import { isAbsolute } from 'node:path'
import { callerFile } from './call-site.ts'
import {
  PORTABLE_RULES,
  validateEnv,
  validateMemory,
  validateName,
  validateProviderOptions,
  validateTimeout,
} from './portable-rules.ts'
import type { FunctionContext } from './runtime/context.ts'
import { validateScale } from './scale.ts'
import { expectTrigger } from './triggers/check.ts'
import type { HttpTrigger, QueueTrigger, ScheduleTrigger, StorageTrigger, TopicTrigger, Trigger } from './triggers/types.ts'
import { expectFunction, expectKnownKeys, expectPlainObject, expectString, fail } from './validation.ts'

export type { FunctionContext } from './runtime/context.ts'

export type Handler<I, O> = (input: I, ctx: FunctionContext) => O | Promise<O>

/** Per-provider settings, each under its provider's name: `{ aws: {...}, gcp: {...} }`. */
export type ProviderOptions = Record<string, Record<string, unknown>>

/** The triggers a `FunctionConfig` (not an HTTP one) may carry. */
export type EventTrigger = ScheduleTrigger | QueueTrigger | TopicTrigger | StorageTrigger

export interface FunctionConfig<I, O, T extends EventTrigger | undefined = EventTrigger | undefined> {
  /** Portable name: 1-40 of `a-z 0-9 -`, starting with a letter. */
  name: string
  handler: Handler<I, O>
  /** Memory in MB, 128 to 10240 (default 256). Providers may narrow the range. */
  memoryMb?: number
  /** Timeout in seconds, 1 to 3600 (default 60). Providers may narrow the range. */
  timeoutSec?: number
  /**
   * Most executions at once, 1 to 1000 (default: the cloud's own limit); calls
   * beyond it fail with `ThrottledError`, which invoke retries (README "Scale").
   * Providers may narrow the range.
   */
  maxInstances?: number
  /** Instances kept warm, 0 to 1000 (default 0); they cost money while idle. Not above `maxInstances`. */
  minInstances?: number
  /** Environment variables visible inside the function only. */
  env?: Record<string, string>
  /** Module that exports this definition; recorded automatically from the call site. */
  entry?: string
  /** Name of the export holding this definition; found automatically when omitted. */
  exportName?: string
  providerOptions?: ProviderOptions
  /**
   * Files the function reads at run time, as globs relative to the entry
   * module's folder (`['data/**', 'templates/*.html']`). They ship in the
   * artifact at the same relative path next to the bundled code, so
   * `readFileSync(join(import.meta.dirname, 'data/config.json'))` works on
   * every backend as it does in the source tree.
   */
  include?: readonly string[]
  /**
   * What starts the function besides direct invocation: `schedule(...)`
   * (input: `ScheduleEvent`), `queue(...)` or `topic(...)` (input: each message). For
   * `http(...)` the handler takes a `Request` instead (see `HttpFunctionConfig`).
   */
  trigger?: T
}

/** Handler of an HTTP function: web-standard `Request` in, `Response` out, on every backend. */
export type HttpHandler = (request: Request, ctx: FunctionContext) => Response | Promise<Response>

export interface HttpFunctionConfig extends Omit<FunctionConfig<Request, Response>, 'handler' | 'trigger'> {
  trigger: HttpTrigger
  handler: HttpHandler
}

const DEFINITION = Symbol.for('cloudfn.definition')

/**
 * A declared function. `T` is its trigger's type, which decides what its
 * handle offers (see `HandleFor`): `invoke` and `map` unless it is an HTTP
 * function, `fetch` only if it is one, `send` only for a queue function.
 */
export interface FunctionDefinition<I = unknown, O = unknown, T extends Trigger | undefined = Trigger | undefined> {
  readonly [DEFINITION]: true
  readonly name: string
  readonly handler: Handler<I, O>
  readonly memoryMb: number
  readonly timeoutSec: number
  /** Undefined: the cloud's default. */
  readonly maxInstances: number | undefined
  readonly minInstances: number | undefined
  readonly env: Readonly<Record<string, string>>
  /** Absolute path of the module that defines the function, if known. */
  readonly entry: string | undefined
  readonly exportName: string | undefined
  readonly providerOptions: Readonly<ProviderOptions>
  /** Globs of files shipped with the code (see `FunctionConfig.include`). */
  readonly include: readonly string[]
  readonly trigger: T
}

/** Input type of a definition's handler. */
export type InputOf<F> = F extends FunctionDefinition<infer I, unknown> ? I : never
/** Awaited return type of a definition's handler (before the JSON round trip). */
export type OutputOf<F> = F extends FunctionDefinition<never, infer O> ? Awaited<O> : never

const CONFIG_KEYS = [
  'name',
  'handler',
  'memoryMb',
  'timeoutSec',
  'maxInstances',
  'minInstances',
  'env',
  'entry',
  'exportName',
  'providerOptions',
  'include',
  'trigger',
]

/**
 * Declares a function. Call it at the top level of a module and export the
 * result: `deploy` bundles that module, tree-shaken to this one function.
 */
export function defineFunction(config: HttpFunctionConfig): FunctionDefinition<Request, Response, HttpTrigger>
export function defineFunction<I, O>(
  config: FunctionConfig<I, O, undefined> & { trigger?: undefined },
): FunctionDefinition<I, O, undefined>
// With explicit <I, O> and a trigger, T stays the wide default (a handle with every method), as before.
export function defineFunction<I, O, T extends EventTrigger | undefined = EventTrigger | undefined>(
  config: FunctionConfig<I, O, T>,
): FunctionDefinition<I, O, T>
export function defineFunction<I, O>(config: FunctionConfig<I, O> | HttpFunctionConfig): FunctionDefinition<I, O> {
  const entry = config?.entry === undefined ? callerFile() : expectString(config.entry, 'entry')
  return createDefinition(config as FunctionConfig<I, O>, entry)
}

/** Same definition under other settings (a second name, more memory, ...). */
export function withOverrides<I, O, T extends Trigger | undefined, U extends Trigger | undefined = T>(
  definition: FunctionDefinition<I, O, T>,
  overrides: Partial<Omit<FunctionConfig<I, O>, 'handler' | 'trigger'>> & { trigger?: U },
): FunctionDefinition<I, O, U> {
  expectKnownKeys(
    expectPlainObject(overrides, 'overrides'),
    CONFIG_KEYS.filter((k) => k !== 'handler'),
    'overrides',
  )
  if (
    overrides.trigger !== undefined &&
    (expectTrigger(overrides.trigger).kind === 'http') !== (definition.trigger?.kind === 'http')
  ) {
    // The handler's shape (Request in, Response out) follows from the trigger.
    fail('overrides.trigger', 'cannot turn an HTTP function into another kind, or another kind into an HTTP function')
  }
  return createDefinition(
    { ...definition, ...overrides } as FunctionConfig<I, O>,
    overrides.entry ?? definition.entry,
    sourceNameOf(definition),
  ) as FunctionDefinition<I, O, U>
}

/**
 * The name the definition has in its module: a copy made by `withOverrides`
 * may be deployed under another name, and the artifact must still find the
 * export that holds it (a module loaded twice holds other objects and closures).
 */
const SOURCE_NAME = Symbol.for('cloudfn.sourceName')

export function sourceNameOf(definition: FunctionDefinition<never, unknown> | FunctionDefinition): string {
  const source = (definition as unknown as { [SOURCE_NAME]?: unknown })[SOURCE_NAME]
  return typeof source === 'string' ? source : definition.name
}

function createDefinition<I, O>(
  config: FunctionConfig<I, O>,
  entry: string | undefined,
  sourceName?: string,
): FunctionDefinition<I, O> {
  const checked = expectPlainObject(config, 'config')
  expectKnownKeys(checked, CONFIG_KEYS, '')
  expectFunction(checked.handler, 'handler')
  return Object.freeze({
    [DEFINITION]: true as const,
    ...(sourceName === undefined ? {} : { [SOURCE_NAME]: sourceName }),
    name: validateName(checked.name),
    handler: config.handler,
    memoryMb: config.memoryMb === undefined ? PORTABLE_RULES.memoryMb.default : validateMemory(config.memoryMb),
    timeoutSec: config.timeoutSec === undefined ? PORTABLE_RULES.timeoutSec.default : validateTimeout(config.timeoutSec),
    ...validateScale(config),
    env: Object.freeze(config.env === undefined ? {} : validateEnv(config.env)),
    entry,
    exportName: config.exportName === undefined ? undefined : expectString(config.exportName, 'exportName'),
    providerOptions: Object.freeze(config.providerOptions === undefined ? {} : validateProviderOptions(config.providerOptions)),
    include: Object.freeze(config.include === undefined ? [] : validateInclude(config.include)),
    trigger: config.trigger === undefined ? undefined : expectTrigger(config.trigger),
  })
}

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && (value as { [DEFINITION]?: unknown })[DEFINITION] === true
}

/** Globs that stay inside the entry's folder: the files land at the same relative path in the artifact. */
function validateInclude(include: unknown): string[] {
  if (!Array.isArray(include)) fail('include', 'must be an array of globs relative to the entry module, e.g. ["data/**"]')
  return include.map((pattern: unknown, index) => {
    const field = `include[${index}]`
    if (typeof pattern !== 'string' || pattern.trim() === '') fail(field, 'must be a non-empty glob string')
    if (isAbsolute(pattern) || /^[a-z]:/i.test(pattern))
      fail(field, `must be relative to the entry module's folder (got ${JSON.stringify(pattern)})`)
    if (pattern.split(/[\\/]/).includes('..')) {
      fail(
        field,
        `must not leave the entry module's folder with '..' (got ${JSON.stringify(pattern)}): the artifact keeps relative paths`,
      )
    }
    return pattern
  })
}
