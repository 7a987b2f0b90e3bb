import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The function ran longer than its `timeoutSec` and was stopped. */
export class TimeoutError extends CloudfnError {
  static override readonly code = 'Timeout'
  readonly timeoutSec: number

  constructor(options: CloudfnErrorOptions & { timeoutSec: number }) {
    super('Timeout', options)
    this.timeoutSec = options.timeoutSec
  }
}
