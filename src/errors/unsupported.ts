import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The provider lacks the capability the call needs (see `provider.capabilities`). */
export class UnsupportedError extends CloudfnError {
  static override readonly code = 'Unsupported'
  readonly capability: string

  constructor(options: CloudfnErrorOptions & { capability: string }) {
    super('Unsupported', options)
    this.capability = options.capability
  }
}
