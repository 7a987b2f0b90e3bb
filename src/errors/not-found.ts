import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The function (or another named resource) does not exist. */
export class NotFoundError extends CloudfnError {
  static override readonly code = 'NotFound'
  readonly resource: string

  constructor(options: CloudfnErrorOptions & { resource: string }) {
    super('NotFound', options)
    this.resource = options.resource
  }
}
