import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/**
 * The provider refused the call for lack of capacity or quota. The function
 * did not run, so even a synchronous invoke is safe to retry.
 */
export class ThrottledError extends CloudfnError {
  static override readonly code = 'Throttled'

  constructor(options: CloudfnErrorOptions) {
    super('Throttled', options, true)
  }
}
