import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** A value given to cloudfn is not acceptable. Raised before anything is sent. */
export class InvalidArgumentError extends CloudfnError {
  static override readonly code = 'InvalidArgument'
  /** Path of the offending field, e.g. `memoryMb` or `input.items[3]`. */
  readonly field: string

  constructor(options: CloudfnErrorOptions & { field: string }) {
    super('InvalidArgument', options)
    this.field = options.field
  }
}
