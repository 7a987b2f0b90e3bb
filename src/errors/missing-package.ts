import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/**
 * An optional package the call needs (a cloud SDK, the runtime library an
 * artifact ships, msw for an emulator) is not installed. Raised before
 * anything is created; `install` is the command that fixes it.
 */
export class MissingPackageError extends CloudfnError {
  static override readonly code = 'MissingPackage'
  readonly packages: readonly string[]
  readonly install: string

  constructor(options: CloudfnErrorOptions & { packages: readonly string[] }) {
    super('MissingPackage', options)
    this.packages = options.packages
    this.install = `npm install ${options.packages.join(' ')}`
  }
}
