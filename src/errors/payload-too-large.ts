import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** A request or response body exceeds the provider's limit. */
export class PayloadTooLargeError extends CloudfnError {
  static override readonly code = 'PayloadTooLarge'
  readonly direction: 'request' | 'response'
  readonly bytes: number | undefined
  readonly limitBytes: number

  constructor(options: CloudfnErrorOptions & { direction: 'request' | 'response'; bytes?: number; limitBytes: number }) {
    super('PayloadTooLarge', options)
    this.direction = options.direction
    this.bytes = options.bytes
    this.limitBytes = options.limitBytes
  }
}
