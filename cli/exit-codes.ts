import { CloudfnError } from '../src/errors/cloudfn-error.ts'

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** Unexpected failure, or a conformance run with failures. */
  failure: 1,
  /**
   * Bad command line or invalid input, a missing package, or a call the
   * function or provider cannot take (invoke on an HTTP function, send to a
   * function without a queue): nothing was created or invoked.
   */
  usage: 2,
  /** The user's function failed (threw, timed out, ran out of memory). */
  functionError: 3,
  /** The provider or the network failed, or the function does not exist. */
  providerError: 4,
} as const

/** A command-line mistake; its message says how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage
  if (!CloudfnError.isInstance(error)) return EXIT.failure
  switch (error.code) {
    case 'InvalidArgument':
    case 'MissingPackage':
    case 'Unsupported':
      return EXIT.usage
    case 'FunctionError':
    case 'Timeout':
    case 'OutOfMemory':
      return EXIT.functionError
    default:
      return EXIT.providerError
  }
}
