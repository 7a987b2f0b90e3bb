import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The resource is busy (an update in progress) or already exists. Retryable by default. */
export class ConflictError extends CloudfnError {
  static override readonly code = 'Conflict'

  constructor(options: CloudfnErrorOptions) {
    super('Conflict', options, true)
  }
}
