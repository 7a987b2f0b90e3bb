import { redactSecrets, scrubCause } from '../redact.ts'

/** Stable machine-readable codes; one per error class. */
export type ErrorCode =
  | 'InvalidArgument'
  | 'NotFound'
  | 'Conflict'
  | 'PayloadTooLarge'
  | 'Timeout'
  | 'OutOfMemory'
  | 'Throttled'
  | 'Unauthorized'
  | 'FunctionError'
  | 'ProviderError'
  | 'Cancelled'
  | 'Unsupported'
  | 'MissingPackage'

export interface CloudfnErrorOptions {
  message: string
  /** Name of the provider that raised it (`local`, `aws`, ...), when one did. */
  provider?: string | undefined
  /**
   * The underlying error (usually the cloud SDK's). Kept as a scrubbed copy
   * (name, message, stack, code, status, metadata): SDK errors hold signed
   * requests. Never serialized by `toJSON`.
   */
  cause?: unknown
  /** Overrides the class default. */
  isRetryable?: boolean | undefined
  /** Server-requested delay before a retry (from `Retry-After` or equivalent). */
  retryAfterMs?: number | undefined
}

// A registry-wide symbol (not a module-local one) so that errors created by a
// second copy of cloudfn (ESM + CJS, or two versions) are still recognised.
const MARKER = Symbol.for('cloudfn.error')

/**
 * Base class of every error cloudfn throws. Use `XError.isInstance(e)` rather
 * than `instanceof`: it works across module copies and realms.
 */
export class CloudfnError extends Error {
  /** The code that subclasses answer to in `isInstance`; `undefined` on the base. */
  static readonly code: ErrorCode | undefined = undefined
  readonly [MARKER]: ErrorCode
  readonly code: ErrorCode
  readonly provider: string | undefined
  readonly isRetryable: boolean
  readonly retryAfterMs: number | undefined

  protected constructor(code: ErrorCode, options: CloudfnErrorOptions, retryableByDefault = false) {
    // Messages may quote cloud responses; strip anything that looks like a credential.
    super(redactSecrets(options.message), options.cause === undefined ? undefined : { cause: keepableCause(options.cause) })
    this[MARKER] = code
    this.code = code
    this.name = code.endsWith('Error') ? code : `${code}Error`
    this.provider = options.provider
    this.isRetryable = options.isRetryable ?? retryableByDefault
    this.retryAfterMs = options.retryAfterMs
  }

  /** True for any cloudfn error when called on the base, or for that class when called on a subclass. */
  static isInstance<T>(this: { prototype: T; readonly code: ErrorCode | undefined }, error: unknown): error is T {
    if (typeof error !== 'object' || error === null) return false
    const code = (error as { [MARKER]?: unknown })[MARKER]
    if (typeof code !== 'string') return false
    // `this` is whichever class isInstance was called on: that is the point.
    // biome-ignore lint/complexity/noThisInStatic: polymorphic static dispatch
    return this.code === undefined || this.code === code
  }

  /** Plain data for logs and wire formats; the cause is deliberately left out. */
  toJSON(): Record<string, unknown> {
    const { [MARKER]: _marker, cause: _cause, ...fields } = this as unknown as Record<string | symbol, unknown>
    return { name: this.name, code: this.code, message: this.message, ...fields }
  }
}

/** cloudfn's own errors are already safe; anything else is scrubbed. */
function keepableCause(cause: unknown): unknown {
  return CloudfnError.isInstance(cause) ? cause : scrubCause(cause)
}
