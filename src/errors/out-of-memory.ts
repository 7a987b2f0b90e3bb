import { CloudfnError, type CloudfnErrorOptions } from './cloudfn-error.ts'

/** The function exceeded its `memoryMb` and was stopped. */
export class OutOfMemoryError extends CloudfnError {
  static override readonly code = 'OutOfMemory'
  readonly memoryMb: number

  constructor(options: CloudfnErrorOptions & { memoryMb: number }) {
    super('OutOfMemory', options)
    this.memoryMb = options.memoryMb
  }
}
