import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The caller aborted the operation through its `AbortSignal`. */
export class CancelledError extends CloudfnError {
  static override readonly code = 'Cancelled'

  constructor(options: CloudfnErrorOptions) {
    super('Cancelled', options)
  }
}
