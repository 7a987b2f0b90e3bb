import type { ErrorCode } from './cloudfn-error.ts'
import { InvalidArgumentError } from './invalid-argument.ts'

/** What a deploy-time check found; each would work locally and break after deploy. */
export type DeployCheck =
  /** The function's module runs code at its top level (an app, a server, a deploy) that every cold start would re-run. */
  | 'top-level-code'
  /** The definition is not exported from its module, so the artifact cannot import it. */
  | 'unexported-definition'
  /** The code reads a file next to its source that the artifact does not ship (see `include`). */
  | 'missing-file'

// Registry-wide, like CloudfnError's own marker, so a second copy of cloudfn recognises it.
const CHECK_MARKER = Symbol.for('cloudfn.error.deployCheck')

/**
 * Code that works in the deploying process and would break once deployed,
 * found while packaging, before anything is sent to a cloud. A kind of
 * `InvalidArgumentError` (field `entry`, CLI exit code 2); `check` says which
 * rule, `file` and `line` where, and the message what to change.
 */
export class DeployCheckError extends InvalidArgumentError {
  readonly [CHECK_MARKER] = true
  readonly check: DeployCheck
  /** Absolute path of the source file at fault. */
  readonly file: string
  /** 1-based line in `file`, when the check can tell. */
  readonly line: number | undefined

  constructor(options: { check: DeployCheck; file: string; line?: number | undefined; message: string; cause?: unknown }) {
    super({ field: 'entry', message: options.message, cause: options.cause })
    this.name = 'DeployCheckError'
    this.check = options.check
    this.file = options.file
    this.line = options.line
  }

  /** True only for a `DeployCheckError` (`InvalidArgumentError.isInstance` is also true for one). */
  static override isInstance<T>(this: { prototype: T; readonly code: ErrorCode | undefined }, error: unknown): error is T {
    return InvalidArgumentError.isInstance(error) && (error as { [CHECK_MARKER]?: unknown })[CHECK_MARKER] === true
  }
}
