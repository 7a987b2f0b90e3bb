import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** Any other failure of the provider or the network (5xx, resets, unexpected answers). */
export class ProviderError extends CloudfnError {
  static override readonly code = 'ProviderError'
  /** HTTP status of the provider's answer, when there was one. */
  readonly status: number | undefined
  /**
   * True when the request provably never reached the function (e.g. the
   * connection was refused before sending), so a synchronous invoke may be retried.
   */
  readonly notExecuted: boolean

  constructor(options: CloudfnErrorOptions & { status?: number | undefined; notExecuted?: boolean }) {
    super('ProviderError', options, true)
    this.status = options.status
    this.notExecuted = options.notExecuted ?? false
  }
}
