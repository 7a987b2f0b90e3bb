import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** Credentials are missing, expired or lack a permission. */
export class UnauthorizedError extends CloudfnError {
  static override readonly code = 'Unauthorized'

  constructor(options: CloudfnErrorOptions) {
    super('Unauthorized', options)
  }
}
